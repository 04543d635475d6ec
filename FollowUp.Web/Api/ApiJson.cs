using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FollowUp.Web.Api;

/// <summary>
/// The API's JSON: snake_case, unknown properties rejected (a typo is an error, not a silent
/// default), and C# <c>required</c> not enforced by the serializer so that a missing field reaches the
/// validator and is reported as a 422 naming it, with every other problem.
/// </summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers = { info => { foreach (var p in info.Properties) { p.IsRequired = false; } } },
        };
        return options;
    }

    /// <summary>Reads the body as <typeparamref name="T"/>, or a 400 problem saying where the JSON is wrong.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null
                ? (default, TypedResults.Problem(statusCode: 400, title: "Malformed JSON", detail: "The body is empty or null."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (default, TypedResults.Problem(statusCode: 400, title: "Malformed JSON", detail: ex.Message));
        }
    }

    /// <summary>A 422 problem listing each field and why.</summary>
    public static IResult ValidationProblem(FluentValidation.Results.ValidationResult result) =>
        TypedResults.Problem(new HttpValidationProblemDetails(
            result.Errors.GroupBy(e => e.PropertyName).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()))
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The request has invalid fields",
            Type = "https://tools.ietf.org/html/rfc4918#section-11.2",
        });
}
