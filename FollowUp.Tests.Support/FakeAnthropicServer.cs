using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FollowUp.Tests.Support;

/// <summary>
/// Anthropic's Messages API at its wire, in this process: <c>POST /v1/messages</c> on 127.0.0.1 with a free port
/// (point <c>FollowUp:Ai:BaseUrl</c> at <see cref="BaseUrl"/>). Records every request (headers and JSON body) and
/// answers from a per-test script (queued replies, then <see cref="Otherwise"/>) with the shapes the API documents:
/// a <c>message</c> with <c>content</c> text blocks and <c>usage</c>, or an <c>error</c> object (429
/// <c>rate_limit_error</c>, 529 <c>overloaded_error</c>), optionally after a delay.
/// </summary>
public sealed class FakeAnthropicServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeAnthropicRequest> _requests = new();
    private readonly ConcurrentQueue<FakeAnthropicReply> _script = new();

    private FakeAnthropicServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the fake listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Every request received, in order (retries included).</summary>
    public IReadOnlyList<FakeAnthropicRequest> Requests => [.. _requests];

    /// <summary>The answer once the script is used up.</summary>
    public FakeAnthropicReply Otherwise { get; set; } = FakeAnthropicReply.Overloaded();

    public static async Task<FakeAnthropicServer> StartAsync()
    {
        FakeAnthropicServer? server = null;
        var (app, address) = await LoopbackApp.StartAsync(app => app.MapPost("/v1/messages", (HttpContext context) => server!.HandleAsync(context)));
        server = new FakeAnthropicServer(app, address);
        return server;
    }

    /// <summary>Answer the next request with <paramref name="reply"/>.</summary>
    public FakeAnthropicServer Then(FakeAnthropicReply reply)
    {
        _script.Enqueue(reply);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var raw = await reader.ReadToEndAsync(context.RequestAborted);
        using var json = JsonDocument.Parse(raw);
        _requests.Enqueue(new FakeAnthropicRequest(
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), raw, json.RootElement.Clone()));

        var reply = _script.TryDequeue(out var next) ? next : Otherwise;
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["request-id"] = "req_fake_" + _requests.Count;
        object body;
        if (reply.Status == 200)
        {
            body = new Dictionary<string, object?>
            {
                ["id"] = "msg_fake_" + _requests.Count,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = json.RootElement.GetProperty("model").GetString(),
                ["content"] = new[] { new Dictionary<string, object?> { ["type"] = "text", ["text"] = reply.Text, ["citations"] = null } },
                ["stop_reason"] = "end_turn",
                ["stop_sequence"] = null,
                ["usage"] = new Dictionary<string, object?>
                {
                    ["input_tokens"] = reply.InputTokens, ["output_tokens"] = reply.OutputTokens,
                    ["cache_creation_input_tokens"] = 0, ["cache_read_input_tokens"] = 0, ["service_tier"] = "standard",
                },
            };
        }
        else
        {
            // Asked to retry at once: the SDK honours the retry-after header, so a test does not wait out its backoff.
            context.Response.Headers["retry-after-ms"] = "20";
            body = new Dictionary<string, object?>
            {
                ["type"] = "error",
                ["error"] = new Dictionary<string, object?>
                {
                    ["type"] = reply.Status switch { 429 => "rate_limit_error", 529 => "overloaded_error", _ => "api_error" },
                    ["message"] = reply.Status switch { 429 => "Number of request tokens has exceeded your rate limit.", 529 => "Overloaded", _ => "Internal server error" },
                },
            };
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
