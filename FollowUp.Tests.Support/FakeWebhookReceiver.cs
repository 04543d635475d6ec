using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FollowUp.Tests.Support;

/// <summary>
/// A business's webhook receiver (n8n, Zapier, a CRM) at its wire: a Kestrel app on 127.0.0.1 with a
/// free port that records every request (headers and raw body) and answers <see cref="Status"/>.
/// </summary>
public sealed class FakeWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _requests = new();

    private FakeWebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The receiver's URL, <c>http://127.0.0.1:port/hooks/followup</c>.</summary>
    public Uri Url { get; }

    /// <summary>What the receiver answers; change it between deliveries.</summary>
    public int Status { get; set; } = StatusCodes.Status200OK;

    public IReadOnlyList<ReceivedWebhook> Requests => [.. _requests];

    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _script = new();

    /// <summary>Answer the next request with <paramref name="status"/> (in order; then <see cref="Status"/>).</summary>
    public FakeWebhookReceiver Then(int status)
    {
        _script.Enqueue(status);
        return this;
    }

    /// <summary>When set, a 2xx answer carries this JSON (given the number of requests so far).</summary>
    public Func<int, string>? AnswerJson { get; set; }

    public static async Task<FakeWebhookReceiver> StartAsync()
    {
        FakeWebhookReceiver? receiver = null;
        var (app, address) = await LoopbackApp.StartAsync(app => app.MapPost("/hooks/followup", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            receiver!._requests.Enqueue(new ReceivedWebhook(
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                context.Request.ContentType, body));
            context.Response.StatusCode = receiver._script.TryDequeue(out var scripted) ? scripted : receiver.Status;
            if (receiver.AnswerJson is { } json && context.Response.StatusCode is >= 200 and < 300)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(json(receiver._requests.Count), context.RequestAborted);
            }
        }));
        receiver = new FakeWebhookReceiver(app, new Uri(address, "/hooks/followup"));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request the fake receiver got.</summary>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, string? ContentType, string Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}
