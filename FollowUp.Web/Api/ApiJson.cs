using System.Text.Json;
using FollowUp.Jobs.Storage;

namespace FollowUp.Web.Api;

/// <summary>The API's JSON (<see cref="FollowUpJson"/>), and its 400 and 422 replies.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options => FollowUpJson.Options;

    public static JsonSerializerOptions Configure(JsonSerializerOptions options) => FollowUpJson.Configure(options);

    /// <summary>
    /// Reads the body as <typeparamref name="T"/>, or a 400 problem: a string that is not text
    /// (<see cref="WireText"/>, each field named), or where the JSON is wrong.
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
    {
        // Buffered: the text check reads the raw strings before the serializer turns them into fields.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (WireText.FindInJson(body.Span) is { Count: > 0 } unusable)
        {
            return (default, WireText.Problem(unusable));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body.Span, Options);
            return value is null
                ? (default, TypedResults.Problem(statusCode: 400, title: "Malformed JSON", detail: "The body is empty or null."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (default, MalformedJson(ex));
        }
    }

    /// <summary>
    /// 400: the body is not JSON, or not the shape expected; the parser's message says where, and when it
    /// knows the field (<see cref="JsonException.Path"/>, <c>$.appointment.id</c>) <c>errors</c> names it.
    /// </summary>
    public static IResult MalformedJson(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var field = exception.Path is { Length: > 0 } path ? path.TrimStart('$').TrimStart('.') : "";
        return TypedResults.Json(new HttpValidationProblemDetails(field.Length > 0
            ? new Dictionary<string, string[]> { [field] = [exception.Message] }
            : new Dictionary<string, string[]>())
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Malformed JSON",
            Detail = exception.Message,
        }, Options, "application/problem+json", StatusCodes.Status400BadRequest);
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
