using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// Sends SMS through Twilio's Messages REST resource (a typed <see cref="HttpClient"/>; its timeout is
/// <see cref="TwilioOptions.TimeoutSeconds"/>). Acceptance is a 201 whose JSON becomes the receipt;
/// every failure becomes a <see cref="ProviderSendException"/> classified for failover and retry.
/// </summary>
internal sealed class TwilioSmsProvider : ISmsProvider
{
    private const string ProviderName = "twilio";

    private readonly HttpClient _http;
    private readonly TwilioOptions _options;
    private readonly ILogger<TwilioSmsProvider> _logger;

    public TwilioSmsProvider(HttpClient http, IOptions<TwilioOptions> options, ILogger<TwilioSmsProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _logger = logger;
    }

    public string Name => ProviderName;

    public bool IsConfigured => _options.IsConfigured;

    public async Task<ProviderReceipt> SendAsync(SmsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsConfigured)
        {
            // The channel skips an unconfigured provider; reaching here is a wiring mistake, and
            // another provider may still send the message.
            throw new ProviderSendException(ProviderName, SendFailureKind.Transient, "Twilio is not configured (FollowUp:Twilio).");
        }

        var content = new WriteTrackingFormContent(Form(request));
        using var message = new HttpRequestMessage(HttpMethod.Post, MessagesUri()) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.AccountSid}:{_options.AuthToken}")));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Our own shutdown or lease loss, not the provider's fault: let the caller see it as such.
            throw;
        }
        catch (OperationCanceledException ex)
        {
            // HttpClient.Timeout. Checkpoint: once the body was written Twilio may have accepted the
            // message and only the answer was lost, so a retry could send it twice; say so.
            throw Failure(SendFailureKind.Transient, $"Twilio did not answer within {_options.TimeoutSeconds} s.",
                "timeout", content.WriteStarted, ex);
        }
        catch (HttpRequestException ex)
        {
            // Connection refused or DNS failure happen before any byte is written; a reset after the
            // body went out may still have delivered it.
            throw Failure(SendFailureKind.Transient, $"Twilio could not be reached: {ex.Message}",
                ex.HttpRequestError.ToString(), content.WriteStarted, ex);
        }

        using (response)
        {
            var body = await ReadBodyAsync(response, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return Receipt(body, (int)response.StatusCode);
            }

            throw Classify(response.StatusCode, body);
        }
    }

    private Uri MessagesUri() => new(
        $"{_options.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(_options.AccountSid!)}/Messages.json",
        UriKind.Absolute);

    /// <summary>
    /// A sender named on the request (a client's own number) wins; otherwise the messaging service
    /// when configured (Twilio then picks the number from its pool), else the configured number.
    /// </summary>
    private List<KeyValuePair<string, string>> Form(SmsRequest request)
    {
        var form = new List<KeyValuePair<string, string>> { new("To", request.To) };
        if (!string.IsNullOrWhiteSpace(request.From))
        {
            form.Add(new("From", request.From));
        }
        else if (!string.IsNullOrWhiteSpace(_options.MessagingServiceSid))
        {
            form.Add(new("MessagingServiceSid", _options.MessagingServiceSid));
        }
        else
        {
            form.Add(new("From", _options.From!));
        }

        form.Add(new("Body", request.Body));
        if (request.StatusCallbackUrl is not null)
        {
            form.Add(new("StatusCallback", request.StatusCallbackUrl.AbsoluteUri));
        }

        return form;
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            // The status line arrived; a body cut short only loses detail, not the outcome.
            return "";
        }
    }

    private ProviderReceipt Receipt(string body, int status)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var sid = String(root, "sid");
            if (string.IsNullOrEmpty(sid))
            {
                throw new JsonException("no sid");
            }

            int? segments = int.TryParse(String(root, "num_segments"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
            // Twilio reports a price as a negative string ("-0.00750": money leaving the account), or
            // null until the message is priced, which is usually after acceptance.
            decimal? price = decimal.TryParse(String(root, "price"), NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? Math.Abs(p) : null;
            var receipt = new ProviderReceipt(ProviderName, sid, String(root, "status") ?? "queued", segments, price,
                price is null ? null : String(root, "price_unit")?.ToUpperInvariant());
            _logger.LogDebug("Twilio accepted {Sid} ({Status}, {Segments} segments)", receipt.ProviderMessageId, receipt.Status, receipt.Segments);
            return receipt;
        }
        catch (JsonException ex)
        {
            // Checkpoint: Twilio said 2xx, so the message was most likely accepted, but without a SID
            // we cannot track it. Transient with MayHaveBeenSent, so history shows a possible duplicate.
            throw Failure(SendFailureKind.Transient, $"Twilio answered {status} with a body that is not a message resource.",
                status.ToString(CultureInfo.InvariantCulture), mayHaveBeenSent: true, ex);
        }
    }

    private ProviderSendException Classify(HttpStatusCode status, string body)
    {
        var (code, detail) = TwilioError(body);
        var statusNumber = (int)status;
        var errorCode = code?.ToString(CultureInfo.InvariantCulture) ?? statusNumber.ToString(CultureInfo.InvariantCulture);
        var text = $"Twilio refused the message: HTTP {statusNumber}{(code is null ? "" : $", code {code}")}{(detail is null ? "" : $": {detail}")}";

        if (status == HttpStatusCode.TooManyRequests || code == 20429)
        {
            return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: false);
        }

        if (statusNumber >= 500)
        {
            // Checkpoint: a 5xx can come after Twilio stored the message (a gateway timing out in
            // front of it), so a retry or failover may deliver a second copy.
            return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: true);
        }

        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // Bad or revoked credentials (or a suspended account) are our provider's problem, not the
            // recipient's: another provider can still send this message, and once the credentials are
            // fixed a retry will. Permanent would dead-letter every message for a configuration slip.
            return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: false);
        }

        if (status is (HttpStatusCode.BadRequest or HttpStatusCode.NotFound) && code is { } c && IsRecipientOrContentError(c))
        {
            return Failure(SendFailureKind.Permanent, text, errorCode, mayHaveBeenSent: false);
        }

        // Anything else (an unknown 4xx, a sender or account error, a 404 for a wrong account SID) is
        // about how this provider is set up, not about the message: another provider may take it.
        return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: false);
    }

    /// <summary>
    /// Twilio's 21xxx family covers the message's recipient and content (21211 invalid To, 21408 region
    /// not enabled, 21610 unsubscribed with STOP, 21612 unreachable, 21614 not a mobile, 21617 body too
    /// long, 21635 landline, …): no provider can deliver those, so retrying only repeats the refusal.
    /// Its sender-side codes are the exception: they describe our number or messaging service, which
    /// another provider does not share.
    /// </summary>
    private static bool IsRecipientOrContentError(int code) =>
        code is >= 21000 and <= 21999 && !SenderSideCodes.Contains(code);

    /// <summary>
    /// 21212 invalid From, 21603 From missing, 21606 From not a number of this account, 21611 From's
    /// queue is full, 21659 From not a Twilio number, 21660 From and account mismatch,
    /// 21701–21712 messaging service problems.
    /// </summary>
    private static readonly HashSet<int> SenderSideCodes =
        [21212, 21603, 21606, 21611, 21659, 21660, .. Enumerable.Range(21701, 12)];

    private static (int? Code, string? Message) TwilioError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            int? code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : null;
            return (code, String(root, "message"));
        }
        catch (JsonException)
        {
            // A proxy's HTML error page: the status code alone classifies it.
            return (null, null);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private ProviderSendException Failure(SendFailureKind kind, string message, string errorCode, bool mayHaveBeenSent, Exception? inner = null)
    {
        // Never log the request's Authorization header or the token; the text here is Twilio's own.
        _logger.LogWarning("Twilio send failed ({Kind}, {ErrorCode}, may have been sent: {MayHaveBeenSent}): {Message}",
            kind, errorCode, mayHaveBeenSent, message);
        return new ProviderSendException(ProviderName, kind, message, errorCode, mayHaveBeenSent, inner);
    }

    /// <summary>
    /// The form body, noting whether HttpClient began writing it to the connection: until then the
    /// request cannot have reached Twilio (connection refused, DNS), after it it may have.
    /// </summary>
    private sealed class WriteTrackingFormContent(IEnumerable<KeyValuePair<string, string>> form) : FormUrlEncodedContent(form)
    {
        private int _writeStarted;

        public bool WriteStarted => Volatile.Read(ref _writeStarted) == 1;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            Volatile.Write(ref _writeStarted, 1);
            return base.SerializeToStreamAsync(stream, context);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            Volatile.Write(ref _writeStarted, 1);
            return base.SerializeToStreamAsync(stream, context, cancellationToken);
        }

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            Volatile.Write(ref _writeStarted, 1);
            base.SerializeToStream(stream, context, cancellationToken);
        }
    }
}
