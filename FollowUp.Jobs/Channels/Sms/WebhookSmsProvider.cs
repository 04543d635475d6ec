using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FollowUp.Jobs.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// The webhook route (provider <c>webhook</c>): each SMS is a signed POST of
/// <c>{message_id, client_id, to, from, body, kind, segments}</c> to <see cref="WebhookRouteOptions.Url"/>
/// with <c>Idempotency-Key: &lt;message id&gt;</c> (the same on every attempt, so a receiver that keeps it
/// never sends one message twice) and <c>X-FollowUp-Signature</c> (as our inbound and notification
/// webhooks). A 2xx accepts it (an optional <c>provider_message_id</c> in a JSON answer is kept; else the
/// message id stands for it). What the answers mean for failover, docs/WEBHOOKS.md, "The SMS webhook
/// route": nothing was sent — no connection, 401, 403, 408, 429, 503; may have been sent — a timeout after
/// the request went out, another 5xx; permanent — any other 4xx.
/// </summary>
internal sealed class WebhookSmsProvider(IHttpClientFactory http, IOptions<WebhookRouteOptions> options, IClock clock,
    ILogger<WebhookSmsProvider> logger) : ISmsProvider
{
    public const string HttpClientName = "sms-webhook";

    public const string ProviderName = WebhookRouteOptions.ProviderName;

    private const int MaxAnswerBytes = 4 * 1024;

    public string Name => ProviderName;

    public bool IsConfigured => options.Value.IsConfigured;

    /// <summary>The named client of a client's own route: only public addresses are dialled (<see cref="Notifications.ReceiverAddressGuard"/>).</summary>
    public const string ClientRouteHttpClientName = "sms-webhook-client";

    public Task<ProviderReceipt> SendAsync(SmsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var route = options.Value;
        if (!route.IsConfigured)
        {
            throw new ProviderSendException(ProviderName, SendFailureKind.Transient, "The webhook route is not configured (FollowUp:Sms:Webhook).");
        }

        return SendAsync(request, route.Url!, route.Secret!, HttpClientName, idPrefix: "", cancellationToken);
    }

    /// <summary>
    /// Sends through a client's own route (<paramref name="url"/>, signed with <paramref name="secret"/>), over the
    /// client that dials only public addresses. A receiver's own id is kept as <c>{client id}/{its id}</c>, so two
    /// clients' receivers that number alike never name each other's messages.
    /// </summary>
    public Task<ProviderReceipt> SendThroughClientRouteAsync(SmsRequest request, string url, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(request, url, secret, ClientRouteHttpClientName, idPrefix: request.ClientId + "/", cancellationToken);
    }

    private async Task<ProviderReceipt> SendAsync(SmsRequest request, string url, string secret, string clientName, string idPrefix,
        CancellationToken cancellationToken)
    {
        var route = options.Value;

        var segments = SmsSegments.Count(request.Body);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["message_id"] = request.MessageId,
            ["client_id"] = request.ClientId,
            ["to"] = request.To,
            ["from"] = request.From,
            ["body"] = request.Body,
            ["kind"] = request.Kind,
            ["segments"] = segments,
        });
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        message.Headers.Add(CallSignature.Header, CallSignature.Compute(secret, clock.GetCurrentInstant().ToUnixTimeSeconds(), body));
        message.Headers.Add("Idempotency-Key", request.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(clientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TaskCanceledException ex)
        {
            // HttpClient.Timeout. Checkpoint: the request went out; the receiver may have sent it.
            throw Failure(SendFailureKind.Transient, $"The webhook route did not answer within {route.TimeoutSeconds} s.", "timeout", mayHaveBeenSent: true, ex);
        }
        catch (HttpRequestException ex) when (ex.InnerException is Notifications.ReceiverAddressRefusedException refused)
        {
            // The client's URL names an internal address: refused before any connection, so nothing was sent.
            throw Failure(SendFailureKind.Transient, $"The client's SMS route was not called: {refused.Message}.", "address_refused", mayHaveBeenSent: false, ex);
        }
        catch (HttpRequestException ex) when (HttpSendFailures.NothingWritten(ex))
        {
            // Nothing was written: no connection (or no TLS session) was made.
            throw Failure(SendFailureKind.Transient, $"The webhook route could not be reached: {ex.HttpRequestError}", ex.HttpRequestError.ToString(), mayHaveBeenSent: false, ex);
        }
        catch (HttpRequestException ex)
        {
            throw Failure(SendFailureKind.Transient, $"The webhook route's connection failed: {ex.HttpRequestError}", ex.HttpRequestError.ToString(), mayHaveBeenSent: true, ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                var id = await ProviderIdAsync(response, request, cancellationToken);
                // Our own message id stands unprefixed (unique by itself); a receiver's id carries its client's.
                var ours = request.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ProviderReceipt(ProviderName, id == ours ? id : idPrefix + id, "accepted", segments);
            }

            var text = $"The webhook route answered HTTP {status}.";
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                    or HttpStatusCode.ServiceUnavailable => Failure(SendFailureKind.Transient, text, status.ToString(System.Globalization.CultureInfo.InvariantCulture), false, null),
                _ when status >= 500 => Failure(SendFailureKind.Transient, text, status.ToString(System.Globalization.CultureInfo.InvariantCulture), true, null),
                _ => Failure(SendFailureKind.Permanent, text, status.ToString(System.Globalization.CultureInfo.InvariantCulture), false, null),
            };
        }
    }

    /// <summary>The receiver's own id from a JSON answer (<c>provider_message_id</c>, at most 200 characters), else our message id.</summary>
    private static async Task<string> ProviderIdAsync(HttpResponseMessage response, SmsRequest request, CancellationToken cancellationToken)
    {
        var ours = request.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (response.Content.Headers.ContentType?.MediaType is not "application/json")
        {
            return ours;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxAnswerBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        try
        {
            using var answer = JsonDocument.Parse(buffer.AsMemory(0, length));
            return answer.RootElement.ValueKind == JsonValueKind.Object
                && answer.RootElement.TryGetProperty("provider_message_id", out var id) && id.ValueKind == JsonValueKind.String
                && id.GetString() is { Length: > 0 and <= 200 } value
                ? value
                : ours;
        }
        catch (JsonException)
        {
            return ours; // accepted all the same: a 2xx is the answer that counts
        }
    }

    private ProviderSendException Failure(SendFailureKind kind, string message, string errorCode, bool mayHaveBeenSent, Exception? inner)
    {
        logger.LogWarning("Webhook route send failed ({Kind}, {ErrorCode}, may have been sent: {MayHaveBeenSent}): {Message}", kind, errorCode, mayHaveBeenSent, message);
        return new ProviderSendException(ProviderName, kind, message, errorCode, mayHaveBeenSent, inner);
    }
}
