using System.Text.Json;
using FollowUp.Jobs.Storage;

namespace FollowUp.Web.Api;

/// <summary>The API's JSON (<see cref="FollowUpJson"/>), and its 400 and 422 replies.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options => FollowUpJson.Options;

    public static JsonSerializerOptions Configure(JsonSerializerOptions options) => FollowUpJson.Configure(options);

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
        // Written as JSON directly, not through the problem-details service: for [ApiController]
        // endpoints (the webhooks) MVC's writer would take it and drop "errors".
        TypedResults.Json(new HttpValidationProblemDetails(
            result.Errors.GroupBy(e => e.PropertyName).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()))
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The request has invalid fields",
            Type = "https://tools.ietf.org/html/rfc4918#section-11.2",
        }, Options, "application/problem+json", StatusCodes.Status422UnprocessableEntity);
}
