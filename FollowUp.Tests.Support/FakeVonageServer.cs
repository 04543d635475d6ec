using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using NodaTime;

namespace FollowUp.Tests.Support;

/// <summary>
/// Vonage's SMS API (<c>POST /sms/json</c>) at its wire, in this process: a Kestrel app on 127.0.0.1 with a
/// free port. Records every request and answers from a per-test script (queued replies, then acceptances)
/// with the JSON Vonage documents; keeps what it queued (what the customers' phones show). It signs
/// delivery receipts as Vonage's signed webhooks are signed, by its own reading of Vonage's guide (not
/// the product's code), so a mistake on either side shows.
/// </summary>
public sealed class FakeVonageServer : IAsyncDisposable
{
    public const string ApiKey = "a1b2c3d4";
    public const string ApiSecret = "vonage-api-secret-0123";
    public const string SignatureSecret = "vonage-signature-secret-0123456789";

    private readonly Microsoft.AspNetCore.Builder.WebApplication _app;
    private readonly ConcurrentQueue<FakeVonageRequest> _requests = new();
    private readonly ConcurrentQueue<FakeVonageReply> _script = new();
    private long _ids = 0x0C00000021000000;

    private FakeVonageServer(Microsoft.AspNetCore.Builder.WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the fake listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Every send received, in order.</summary>
    public IReadOnlyList<FakeVonageRequest> Requests => [.. _requests];

    /// <summary>The sends Vonage queued: what reached the customers.</summary>
    public IReadOnlyList<FakeVonageRequest> Queued => [.. _requests.Where(r => r.MessageIds.Count > 0)];

    /// <summary>The answer once the script is used up: an acceptance by default.</summary>
    public FakeVonageReply Otherwise { get; set; } = FakeVonageReply.Accepted();

    /// <summary>The app's settings for this account, sending to this fake.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["FollowUp:Sms:Vonage:ApiKey"] = ApiKey,
        ["FollowUp:Sms:Vonage:ApiSecret"] = ApiSecret,
        ["FollowUp:Sms:Vonage:From"] = "+12125550188",
        ["FollowUp:Sms:Vonage:BaseUrl"] = BaseUrl.ToString(),
        ["FollowUp:Sms:Vonage:SignatureSecret"] = SignatureSecret,
    };

    public static async Task<FakeVonageServer> StartAsync()
    {
        FakeVonageServer? server = null;
        var (app, address) = await LoopbackApp.StartAsync(app => app.MapPost("/sms/json", (HttpContext context) => server!.HandleAsync(context)));
        server = new FakeVonageServer(app, address);
        return server;
    }

    /// <summary>Answer the next send with <paramref name="reply"/> (in order; then <see cref="Otherwise"/>).</summary>
    public FakeVonageServer Then(FakeVonageReply reply)
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
        var form = QueryHelpers.ParseQuery(raw).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var reply = _script.TryDequeue(out var next) ? next : Otherwise;
        var stored = reply.Stored ?? (reply.HttpStatus == 200 && reply.Status == "0" && reply.RawBody is null);
        var ids = stored
            ? Enumerable.Range(0, reply.Parts).Select(_ => Interlocked.Increment(ref _ids).ToString("X16", CultureInfo.InvariantCulture)).ToList()
            : [];
        _requests.Enqueue(new FakeVonageRequest(context.Request.ContentType, form, ids));

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

        context.Response.StatusCode = reply.HttpStatus;
        if (reply.RawBody is not null)
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(reply.RawBody, context.RequestAborted);
            return;
        }

        var messages = reply.Status == "0"
            ? ids.Select(id => (object)new Dictionary<string, string>
            {
                ["to"] = form.GetValueOrDefault("to", ""),
                ["message-id"] = id,
                ["status"] = "0",
                ["remaining-balance"] = "15.53590000",
                ["message-price"] = "0.03330000",
                ["network"] = "310260",
            }).ToList()
            : [new Dictionary<string, string> { ["status"] = reply.Status, ["error-text"] = reply.ErrorText }];
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["message-count"] = messages.Count.ToString(CultureInfo.InvariantCulture),
            ["messages"] = messages,
        }), context.RequestAborted);
    }

    /// <summary>
    /// The delivery receipt Vonage sends for <paramref name="sent"/>'s first part (its documented fields), signed
    /// with <paramref name="secret"/> by <paramref name="method"/> at <paramref name="at"/> (now when null), with any <paramref name="extra"/> fields.
    /// </summary>
    public static Dictionary<string, string> Receipt(FakeVonageRequest sent, string status, string errCode = "0",
        string secret = SignatureSecret, string method = "sha256", Instant? at = null, string? messageId = null,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(sent);
        var now = at ?? SystemClock.Instance.GetCurrentInstant();
        var receipt = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["msisdn"] = sent.Field("to"),
            ["to"] = sent.Field("from"),
            ["network-code"] = "310260",
            ["messageId"] = messageId ?? (sent.MessageIds.Count > 0 ? sent.MessageIds[0] : ""),
            ["price"] = "0.03330000",
            ["status"] = status,
            ["scts"] = now.InUtc().ToString("yyMMddHHmm", CultureInfo.InvariantCulture),
            ["err-code"] = errCode,
            ["api-key"] = ApiKey,
            ["client-ref"] = sent.Field("client-ref"),
            ["message-timestamp"] = now.InUtc().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["timestamp"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["nonce"] = Guid.NewGuid().ToString(),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            receipt[key] = value;
        }

        receipt["sig"] = Sign(receipt, secret, method);
        return receipt;
    }

    /// <summary>How a receipt travels: Vonage sends GET (query), POST form or POST JSON, as the account is set.</summary>
    public enum ReceiptFormat
    {
        Query,
        Form,
        Json,
    }

    /// <summary>Delivers <paramref name="receipt"/> to <paramref name="path"/> through <paramref name="client"/> (the app under test).</summary>
    public static async Task<HttpResponseMessage> PostReceiptAsync(HttpClient client, string path, IReadOnlyDictionary<string, string> receipt,
        ReceiptFormat format = ReceiptFormat.Form)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(receipt);
        using var request = format switch
        {
            ReceiptFormat.Query => new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString(path, receipt.ToDictionary(r => r.Key, r => (string?)r.Value))),
            ReceiptFormat.Form => new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(receipt) },
            _ => new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(JsonSerializer.Serialize(receipt), Encoding.UTF8, "application/json"),
            },
        };
        return await client.SendAsync(request);
    }

    /// <summary>Vonage's "manually generate a signature" steps: sorted, &amp; and = in values as _, "&amp;k=v…", then the hash or HMAC, hex.</summary>
    private static string Sign(IReadOnlyDictionary<string, string> parameters, string secret, string method)
    {
        var text = string.Concat(parameters.Where(p => p.Key != "sig").OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => "&" + p.Key + "=" + p.Value.Replace("&", "_", StringComparison.Ordinal).Replace("=", "_", StringComparison.Ordinal)));
        var key = Encoding.UTF8.GetBytes(secret);
        // CA5351: an account may sign with MD5; the fake must be able to, to test that it is verified.
#pragma warning disable CA5351
        var digest = method switch
        {
            "md5hash" => MD5.HashData(Encoding.UTF8.GetBytes(text + secret)),
            "sha512" => HMACSHA512.HashData(key, Encoding.UTF8.GetBytes(text)),
            _ => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)),
        };
#pragma warning restore CA5351
        // Vonage's HMACs come upper-case; the MD5 hash lower-case.
        return method == "md5hash" ? Convert.ToHexStringLower(digest) : Convert.ToHexString(digest);
    }
}
