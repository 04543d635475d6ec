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
    private readonly ConcurrentQueue<Dictionary<string, object?>> _stored = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, StringValues>> _lookups = new();

    private FakeTwilioServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the fake listens, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The message creates (POSTs) received, in order; lookups are in <see cref="Lookups"/>.</summary>
    public IReadOnlyList<FakeTwilioRequest> Requests => [.. _requests];

    /// <summary>The query of each Messages list read (GET), in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, StringValues>> Lookups => [.. _lookups];

    /// <summary>How many messages Twilio stored for this recipient: what a customer's phone would show.</summary>
    public int StoredFor(string to, string body) =>
        _stored.Count(m => (string?)m["to"] == to && (string?)m["body"] == body);

    /// <summary>List reads wait this long before answering (a hanging Twilio).</summary>
    public TimeSpan ListDelay { get; set; }

    /// <summary>When set, list reads answer with this status (an outage of the lookup).</summary>
    public int? ListStatus { get; set; }

    /// <summary>The answer once the script is used up: a 201 by default (the benchmarks give it a latency).</summary>
    public FakeTwilioReply Otherwise { get; set; } = FakeTwilioReply.Created();

    public static async Task<FakeTwilioServer> StartAsync()
    {
        FakeTwilioServer? server = null;
        var (app, address) = await LoopbackApp.StartAsync(app =>
        {
            app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json",
                (HttpContext context, string accountSid) => server!.HandleAsync(context, accountSid));
            app.MapGet("/2010-04-01/Accounts/{accountSid}/Messages.json",
                (HttpContext context, string accountSid) => server!.ListAsync(context, accountSid));
        });
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
        // Twilio stores an accepted message before it answers: an answer lost to a timeout or a dead
        // client leaves the message at Twilio (and on the customer's phone) all the same.
        var created = reply.ErrorCode is null && reply.RawBody is null && reply.Status is >= 200 and < 300
            ? Created(accountSid, form, reply)
            : null;
        if (created is not null)
        {
            _stored.Enqueue(created);
        }

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
            : created!;
        await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    /// <summary>
    /// Twilio's Messages list (2010-04-01): filtered by <c>To</c>, <c>From</c> and <c>DateSent&gt;</c> /
    /// <c>DateSent&lt;</c> / <c>DateSent</c> as Twilio documents them, newest first, one page.
    /// </summary>
    private async Task ListAsync(HttpContext context, string accountSid)
    {
        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value);
        _lookups.Enqueue(query);
        if (ListDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(ListDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (ListStatus is { } status)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["code"] = 20500, ["message"] = "Internal Server Error", ["more_info"] = "https://www.twilio.com/docs/errors/20500", ["status"] = status,
            }));
            return;
        }

        static DateTimeOffset? Date(object? value) => value is string text
            ? DateTimeOffset.ParseExact(text, "ddd, dd MMM yyyy HH:mm:ss '+0000'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal)
            : null;
        static DateTimeOffset Iso(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal);
        var matches = _stored.Reverse().Where(m =>
            (!query.TryGetValue("To", out var to) || (string?)m["to"] == to.ToString())
            && (!query.TryGetValue("From", out var from) || (string?)m["from"] == from.ToString())
            && (!query.TryGetValue("DateSent>", out var after) || Date(m["date_sent"]) is { } sentAfter && sentAfter >= Iso(after.ToString()))
            && (!query.TryGetValue("DateSent<", out var before) || Date(m["date_sent"]) is { } sentBefore && sentBefore <= Iso(before.ToString()))
            && (!query.TryGetValue("DateSent", out var on) || Date(m["date_sent"]) is { } sentOn && sentOn.UtcDateTime.Date == Iso(on.ToString()).UtcDateTime.Date));
        var pageSize = int.TryParse(query.GetValueOrDefault("PageSize").ToString(), out var n) ? n : 50;
        var uri = $"/2010-04-01/Accounts/{accountSid}/Messages.json?PageSize={pageSize}&Page=0";
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["end"] = 0,
            ["first_page_uri"] = uri,
            ["messages"] = matches.Take(pageSize).ToList(),
            ["next_page_uri"] = null,
            ["page"] = 0,
            ["page_size"] = pageSize,
            ["previous_page_uri"] = null,
            ["start"] = 0,
            ["uri"] = uri,
        }));
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
            // Sent at once, as Twilio does with an idle sender (a queued one has none until it goes).
            ["date_sent"] = reply.Queued ? null : now,
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
            ["status"] = reply.Queued ? "queued" : service is null ? "queued" : "accepted",
            ["subresource_uris"] = new Dictionary<string, string> { ["media"] = $"/2010-04-01/Accounts/{accountSid}/Messages/{sid}/Media.json" },
            ["to"] = form.TryGetValue("To", out var to) ? to.ToString() : null,
            ["uri"] = $"/2010-04-01/Accounts/{accountSid}/Messages/{sid}.json",
        };
    }
}
