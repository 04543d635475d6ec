using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using NodaTime;

namespace FollowUp.Tests.Support;

/// <summary>
/// Twilio's Messages resource at its wire, in this process: a Kestrel app on 127.0.0.1 with a free
/// port. Records every request and answers from a per-test script (queued replies, then 201s), with
/// the JSON shapes Twilio documents for a created message and for an error.
/// </summary>
public sealed class FakeTwilioServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeTwilioRequest> _requests = new();
    private readonly ConcurrentQueue<FakeTwilioReply> _script = new();

    private FakeTwilioServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the fake listens, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public Uri BaseUrl { get; }

    public IReadOnlyList<FakeTwilioRequest> Requests => [.. _requests];

    /// <summary>The answer once the script is used up: a 201 by default (the benchmarks give it a latency).</summary>
    public FakeTwilioReply Otherwise { get; set; } = FakeTwilioReply.Created();

    public static async Task<FakeTwilioServer> StartAsync()
    {
        FakeTwilioServer? server = null;
        var (app, address) = await LoopbackApp.StartAsync(app => app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json",
            (HttpContext context, string accountSid) => server!.HandleAsync(context, accountSid)));
        server = new FakeTwilioServer(app, address);
        return server;
    }

    /// <summary>Answer the next request with <paramref name="reply"/> (replies are used in order; then 201s).</summary>
    public FakeTwilioServer Then(FakeTwilioReply reply)
    {
        _script.Enqueue(reply);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string accountSid)
    {
        using var reader = new StreamReader(context.Request.Body);
        var raw = await reader.ReadToEndAsync(context.RequestAborted);
        var form = QueryHelpers.ParseQuery(raw);
        _requests.Enqueue(new FakeTwilioRequest(context.Request.Method, context.Request.Path.Value ?? "",
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
            context.Request.ContentType, raw, form));

        var reply = _script.TryDequeue(out var next) ? next : Otherwise;
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up: nobody is listening for an answer
            }
        }

        if (reply.Gate is { } gate)
        {
            await gate.WaitAsync(context.RequestAborted);
        }

        context.Response.StatusCode = reply.Status;
        if (reply.RawBody is not null)
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(reply.RawBody, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        object body = reply.ErrorCode is { } code
            ? new Dictionary<string, object?>
            {
                ["code"] = code,
                ["message"] = reply.ErrorMessage,
                ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
                ["status"] = reply.Status,
            }
            : Created(accountSid, form, reply);
        await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    /// <summary>Twilio's Message resource as returned by a create (2010-04-01 API).</summary>
    private static Dictionary<string, object?> Created(string accountSid, Dictionary<string, StringValues> form, FakeTwilioReply reply)
    {
        var sid = reply.Sid ?? "SM" + Guid.NewGuid().ToString("N");
        var now = SystemClock.Instance.GetCurrentInstant().ToDateTimeOffset().ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        var service = form.TryGetValue("MessagingServiceSid", out var mg) ? mg.ToString() : null;
        return new Dictionary<string, object?>
        {
            ["account_sid"] = accountSid,
            ["api_version"] = "2010-04-01",
            ["body"] = form.TryGetValue("Body", out var text) ? text.ToString() : null,
            ["date_created"] = now,
            ["date_sent"] = null,
            ["date_updated"] = now,
            ["direction"] = "outbound-api",
            ["error_code"] = null,
            ["error_message"] = null,
            ["from"] = form.TryGetValue("From", out var from) ? from.ToString() : null,
            ["messaging_service_sid"] = service,
            ["num_media"] = "0",
            ["num_segments"] = reply.NumSegments,
            ["price"] = reply.Price,
            ["price_unit"] = reply.PriceUnit,
            ["sid"] = sid,
            // Twilio answers "accepted" when a messaging service will pick the sender, else "queued".
            ["status"] = service is null ? "queued" : "accepted",
            ["subresource_uris"] = new Dictionary<string, string> { ["media"] = $"/2010-04-01/Accounts/{accountSid}/Messages/{sid}/Media.json" },
            ["to"] = form.TryGetValue("To", out var to) ? to.ToString() : null,
            ["uri"] = $"/2010-04-01/Accounts/{accountSid}/Messages/{sid}.json",
        };
    }
}
