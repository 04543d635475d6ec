using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FollowUp.Web.Auth;

namespace FollowUp.Web.Api.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on the API's creates (<see cref="IdempotencyEndpointExtensions.WithIdempotencyKey"/>):
/// the first request with a key runs and its response (status, body, <c>Location</c>) is kept 24 hours
/// for the API key; the same key and request again gets that response and creates nothing
/// (<c>Idempotent-Replayed: true</c>); the same key with another method, path, query or body is 422
/// naming the header; while the first is still running, 409.
/// </summary>
/// <remarks>
/// A 4xx refusal changed nothing and is not kept: the key is free for a corrected request. Any other
/// response is kept, a 500 included (an appointment change that failed is journaled and replayed, so a
/// second request would be a second change). If the handler throws, what it committed is unknown, so the
/// key keeps a 500 saying so rather than letting a retry do it twice.
/// </remarks>
internal sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext context, IdempotencyStore store)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyKeyMetadata>() is null
            || !context.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (KeyProblem(key, values.Count) is { } why)
        {
            await WriteProblemAsync(context, StatusCodes.Status422UnprocessableEntity, "The request has invalid fields", null,
                new Dictionary<string, string[]> { [Header] = [why] });
            return;
        }

        // The "api" policy ran before this: the caller is an API key.
        var apiKey = context.User.FindFirstValue(ApiKeyAuthenticationHandler.KeyHashClaim)
            ?? throw new InvalidOperationException("Idempotency-Key on an endpoint without the \"api\" policy.");
        var requestHash = await HashRequestAsync(context.Request, context.RequestAborted);
        var held = await store.BeginAsync(apiKey, key, requestHash, context.RequestAborted);
        if (held is not null)
        {
            await AnswerHeldAsync(context, held, requestHash);
            return;
        }

        await RunAndKeepAsync(context, store, apiKey, key, requestHash);
    }

    private async Task RunAndKeepAsync(HttpContext context, IdempotencyStore store, string apiKey, string key, string requestHash)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            // Checkpoint: the handler may have committed before it threw. The key keeps an answer that
            // says so; a retry under it must not run the change a second time.
            context.Response.Body = original;
            var problem = ProblemJson(StatusCodes.Status500InternalServerError, "The first request with this key failed",
                $"Its outcome is unknown ({ex.GetType().Name}); check the resource before retrying with a new {Header}.", null);
            await store.CompleteAsync(apiKey, key, requestHash, StatusCodes.Status500InternalServerError, "application/problem+json", null,
                problem, CancellationToken.None);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        var status = context.Response.StatusCode;
        var body = buffer.ToArray();
        if (status is >= 400 and < 500)
        {
            await store.ReleaseAsync(apiKey, key, requestHash, CancellationToken.None);
        }
        else
        {
            await store.CompleteAsync(apiKey, key, requestHash, status, context.Response.ContentType,
                context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null, body, CancellationToken.None);
        }

        await original.WriteAsync(body, CancellationToken.None);
    }

    private static async Task AnswerHeldAsync(HttpContext context, IdempotencyRecord held, string requestHash)
    {
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(held.RequestHash), Encoding.ASCII.GetBytes(requestHash)))
        {
            await WriteProblemAsync(context, StatusCodes.Status422UnprocessableEntity, "The request has invalid fields", null,
                new Dictionary<string, string[]>
                {
                    [Header] = ["was used before with a different request (method, path, query or body); use a new key for a new request"],
                });
            return;
        }

        if (held.Status is not { } status)
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteProblemAsync(context, StatusCodes.Status409Conflict, "Request in flight",
                $"A request with this {Header} is still being processed; retry when it has finished.", null);
            return;
        }

        context.Response.StatusCode = status;
        context.Response.Headers[ReplayedHeader] = "true";
        if (held.ContentType is not null)
        {
            context.Response.ContentType = held.ContentType;
        }

        if (held.Location is not null)
        {
            context.Response.Headers.Location = held.Location;
        }

        await context.Response.Body.WriteAsync(held.Body ?? [], context.RequestAborted);
    }

    private static string? KeyProblem(string key, int count) =>
        count > 1 ? "must be sent once"
        : key.Length == 0 ? "must not be empty"
        : key.Length > MaxKeyLength ? $"must be at most {MaxKeyLength} characters"
        : key.Any(c => c is < '!' or > '~') ? "must be printable ASCII without spaces (a UUID, say)"
        : null;

    // What "the same request" means: method, path, query and body, byte for byte.
    private static async Task<string> HashRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}\n{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string? detail, Dictionary<string, string[]>? errors)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.Body.WriteAsync(ProblemJson(status, title, detail, errors), context.RequestAborted).AsTask();
    }

    private static byte[] ProblemJson(int status, string title, string? detail, Dictionary<string, string[]>? errors)
    {
        var problem = errors is null
            ? new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail, Type = "https://tools.ietf.org/html/rfc4918#section-11.2" };
        return JsonSerializer.SerializeToUtf8Bytes(problem, problem.GetType(), ApiJson.Options);
    }
}
