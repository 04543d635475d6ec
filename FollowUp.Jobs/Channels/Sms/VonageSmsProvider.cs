using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// Vonage's SMS API over a typed <see cref="HttpClient"/> (no Vonage SDK is served here): a form
/// <c>POST {BaseUrl}/sms/json</c> with <c>api_key</c>, <c>api_secret</c>, <c>from</c>, <c>to</c>, <c>text</c>,
/// <c>client-ref</c> = our message id (it comes back on the delivery receipt), <c>type=unicode</c> when the body
/// is not GSM-7, and <c>callback</c> = our receipt webhook when a public URL is set. The answer's
/// <c>messages[].status</c> (one entry per part of a long SMS) classifies it: see <see cref="Classify"/>.
/// Vonage cannot be asked for a message by our reference, so after a failure that may have been sent the
/// next attempt waits <see cref="VonageOptions.ReceiptWaitSeconds"/> for its receipt (<see cref="ReceiptWait"/>).
/// </summary>
internal sealed class VonageSmsProvider(IHttpClientFactory http, IOptions<VonageOptions> options, IOptions<PublicUrlOptions> publicUrl,
    ILogger<VonageSmsProvider> logger) : ISmsProvider
{
    public const string HttpClientName = "vonage";

    public const string ProviderName = VonageOptions.ProviderName;

    /// <summary>Where Vonage posts delivery receipts (relative to the public base URL).</summary>
    public const string ReceiptPath = "/webhooks/vonage/status";

    private const int MaxAnswerBytes = 64 * 1024;

    public string Name => ProviderName;

    public bool IsConfigured => options.Value.IsConfigured;

    public Duration? ReceiptWait => Duration.FromSeconds(options.Value.ReceiptWaitSeconds);

    public async Task<ProviderReceipt> SendAsync(SmsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var vonage = options.Value;
        if (!vonage.IsConfigured)
        {
            throw new ProviderSendException(ProviderName, SendFailureKind.Transient, "Vonage is not configured (FollowUp:Sms:Vonage).");
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("api_key", vonage.ApiKey!),
            new("api_secret", vonage.ApiSecret!),
            // Vonage takes numbers without the "+"; an alphanumeric sender ID as it is.
            new("from", Digits(request.From ?? vonage.From!)),
            new("to", Digits(request.To)),
            new("text", request.Body),
            new("client-ref", request.MessageId.ToString(CultureInfo.InvariantCulture)),
        };
        if (SmsSegments.Encoding(request.Body) == SmsEncoding.Ucs2)
        {
            form.Add(new("type", "unicode"));
        }

        if (!string.IsNullOrWhiteSpace(publicUrl.Value.PublicBaseUrl))
        {
            form.Add(new("callback", publicUrl.Value.PublicBaseUrl.TrimEnd('/') + ReceiptPath));
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(vonage.BaseUrl.TrimEnd('/') + "/sms/json"))
        {
            Content = new FormUrlEncodedContent(form),
        };

        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TaskCanceledException ex)
        {
            // HttpClient.Timeout. Checkpoint: the request went out; Vonage may have queued it and only its answer was lost.
            throw Failure(SendFailureKind.Transient, $"Vonage did not answer within {vonage.TimeoutSeconds} s.", "timeout", mayHaveBeenSent: true, ex);
        }
        catch (HttpRequestException ex) when (HttpSendFailures.NothingWritten(ex))
        {
            // No connection (or no TLS session) was made: nothing was written.
            throw Failure(SendFailureKind.Transient, $"Vonage could not be reached: {ex.HttpRequestError}", ex.HttpRequestError.ToString(), mayHaveBeenSent: false, ex);
        }
        catch (HttpRequestException ex)
        {
            // Checkpoint: the connection broke after the request was written (or while it was): Vonage may have it.
            throw Failure(SendFailureKind.Transient, $"Vonage's connection failed: {ex.HttpRequestError}", ex.HttpRequestError.ToString(), mayHaveBeenSent: true, ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var code = status.ToString(CultureInfo.InvariantCulture);
            if (status is < 200 or >= 300)
            {
                var text = $"Vonage answered HTTP {status}.";
                throw response.StatusCode switch
                {
                    // Our credentials, our rate, or a request refused at the door: nothing was queued.
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests
                        => Failure(SendFailureKind.Transient, text, code, mayHaveBeenSent: false, null),
                    // Checkpoint: Vonage documents no 5xx as "not queued": one may come after it took the message in.
                    _ when status >= 500 => Failure(SendFailureKind.Transient, text, code, mayHaveBeenSent: true, null),
                    _ => Failure(SendFailureKind.Transient, text, code, mayHaveBeenSent: false, null),
                };
            }

            var parts = await PartsAsync(response, cancellationToken);
            if (parts is null || parts.Count == 0)
            {
                // Checkpoint: a 2xx whose body says nothing we can read: it may have been queued. The receipt wait decides.
                throw Failure(SendFailureKind.Transient, $"Vonage answered HTTP {status} with a body that is not its SMS answer.", "unreadable", mayHaveBeenSent: true, null);
            }

            var accepted = parts.Where(p => p.Status == "0").ToList();
            if (accepted.Count > 0)
            {
                if (accepted.Count < parts.Count)
                {
                    // Checkpoint: some parts are queued, so the customer gets them; sending again would repeat those.
                    logger.LogWarning("Vonage queued {Accepted} of {Parts} parts of message {MessageId}; kept as sent (its receipts tell the rest)",
                        accepted.Count, parts.Count, request.MessageId);
                }

                var id = accepted[0].MessageId ?? "";
                logger.LogDebug("Vonage accepted {ProviderMessageId} ({Parts} parts)", id, parts.Count);
                return new ProviderReceipt(ProviderName, id, "accepted", parts.Count);
            }

            var first = parts[0];
            throw Classify(first.Status, first.ErrorText);
        }
    }

    /// <summary>
    /// Vonage's SMS status codes (its "Troubleshooting SMS" table) other than 0. Permanent, the recipient or
    /// content: 6 invalid message (an unrecognised number prefix), 7 number barred, 12 message too long,
    /// 33 number de-activated. May have been sent: 5 internal error (the platform failed while processing the
    /// message). Every other code says the message was not queued and is about our account or request, which
    /// another provider does not share — 1 throttled, 2 missing and 3 invalid parameters, 4 invalid
    /// credentials, 8 account barred, 9 out of credit, 10 too many binds, 11 invalid message class, 13
    /// communication failed, 14 invalid signature, 15 invalid sender address, 22 invalid network code, 23
    /// invalid callback URL, 29 non-whitelisted destination (a trial account), 32 signature and secret
    /// disallowed, and any code not documented: fail over now.
    /// </summary>
    internal ProviderSendException Classify(string status, string? errorText)
    {
        var text = $"Vonage refused the message: status {status}{(string.IsNullOrEmpty(errorText) ? "" : $" ({errorText})")}";
        return status switch
        {
            "6" or "7" or "12" or "33" => Failure(SendFailureKind.Permanent, text, status, mayHaveBeenSent: false, null),
            "5" => Failure(SendFailureKind.Transient, text, status, mayHaveBeenSent: true, null),
            _ => Failure(SendFailureKind.Transient, text, status, mayHaveBeenSent: false, null),
        };
    }

    private sealed record Part(string Status, string? MessageId, string? ErrorText);

    /// <summary>The answer's <c>messages</c>, or null when the body is not Vonage's JSON.</summary>
    private static async Task<IReadOnlyList<Part>?> PartsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
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
            if (answer.RootElement.ValueKind != JsonValueKind.Object
                || !answer.RootElement.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var parts = new List<Part>();
            foreach (var m in messages.EnumerateArray())
            {
                if (m.ValueKind != JsonValueKind.Object || Text(m, "status") is not { } status)
                {
                    return null;
                }

                parts.Add(new Part(status, Text(m, "message-id"), Text(m, "error-text")));
            }

            return parts;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Vonage sends its numbers as strings; a number is read as its text all the same.
    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static string Digits(string number) => number.StartsWith('+') ? number[1..] : number;

    private ProviderSendException Failure(SendFailureKind kind, string message, string errorCode, bool mayHaveBeenSent, Exception? inner)
    {
        // The request's form carries the API secret: it is never logged; the text here is Vonage's own.
        logger.LogWarning("Vonage send failed ({Kind}, {ErrorCode}, may have been sent: {MayHaveBeenSent}): {Message}",
            kind, errorCode, mayHaveBeenSent, PersonalData.Redact(message));
        return new ProviderSendException(ProviderName, kind, message, errorCode, mayHaveBeenSent, inner);
    }
}
