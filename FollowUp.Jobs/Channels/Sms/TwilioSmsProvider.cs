using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// Sends SMS with the Twilio library (<see cref="MessageResource.CreateAsync(CreateMessageOptions, ITwilioRestClient)"/>)
/// on a <see cref="TwilioRestClient"/> over an <see cref="System.Net.Http.HttpClient"/> from the factory
/// (named <see cref="HttpClientName"/>: its timeout is <see cref="TwilioOptions.TimeoutSeconds"/>, its
/// last handler <see cref="TwilioWire"/>). A created message becomes the receipt; every failure becomes a
/// <see cref="ProviderSendException"/> classified for failover and retry.
/// </summary>
internal sealed class TwilioSmsProvider : ISmsProvider
{
    public const string HttpClientName = "twilio";

    private const string ProviderName = "twilio";

    private readonly IHttpClientFactory _http;
    private readonly TwilioOptions _options;
    private readonly ILogger<TwilioSmsProvider> _logger;

    public TwilioSmsProvider(IHttpClientFactory http, IOptions<TwilioOptions> options, ILogger<TwilioSmsProvider> logger)
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

        cancellationToken.ThrowIfCancellationRequested();
        var client = Client();
        var call = TwilioWire.Begin(cancellationToken);
        MessageResource message;
        try
        {
            message = await MessageResource.CreateAsync(Options(request), client);
        }
        catch (ApiConnectionException) when (cancellationToken.IsCancellationRequested)
        {
            // Our own shutdown or lease loss, not the provider's fault: let the caller see it as such.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (ApiConnectionException ex) when (ex.InnerException is OperationCanceledException)
        {
            // HttpClient.Timeout. Checkpoint: once the request went out Twilio may have accepted the
            // message and only the answer was lost, so a retry could send it twice; say so.
            throw Failure(SendFailureKind.Transient, $"Twilio did not answer within {_options.TimeoutSeconds} s.",
                "timeout", call.MayHaveReachedTwilio, ex);
        }
        catch (ApiConnectionException ex)
        {
            // Connection refused or DNS failure happen before any byte is written; a reset after the
            // request went out may still have delivered it.
            var error = (ex.InnerException as HttpRequestException)?.HttpRequestError.ToString() ?? "io";
            throw Failure(SendFailureKind.Transient, $"Twilio could not be reached: {ex.InnerException?.Message ?? ex.Message}",
                error, call.MayHaveReachedTwilio, ex);
        }
        catch (ApiException ex) when (call.Status is { } status && (int)status is >= 200 and < 300)
        {
            // Checkpoint: Twilio said 2xx (the message was accepted) but its body is not a message
            // resource. Sending again would deliver a second copy, so accept it without a SID; its
            // delivery callbacks cannot be matched, which the warning says.
            _logger.LogWarning(ex, "Twilio answered {Status} with a body that is not a message resource; accepted without a SID", (int)status);
            return new ProviderReceipt(ProviderName, "", "accepted");
        }
        catch (ApiException ex)
        {
            throw Classify(ex, call.Status);
        }

        return Receipt(message);
    }

    public bool CanLookUp => IsConfigured;

    /// <summary>
    /// Asks Twilio's Messages list (through the library's <see cref="MessageResource.ReadAsync(ReadMessageOptions, ITwilioRestClient)"/>)
    /// for the message an earlier attempt may have created: filtered by To, From and DateSent after
    /// <see cref="SmsLookup.Since"/>, then, for one Twilio still holds in its queue (no DateSent yet), the
    /// newest page to and from the same numbers. A match has the same recipient, sender and body and was
    /// created since then; its SID and status become the receipt, and nothing is sent.
    /// </summary>
    public async Task<ProviderReceipt?> FindSentAsync(SmsLookup lookup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (!IsConfigured)
        {
            return null;
        }

        var wanted = Options(lookup.Request);
        var since = lookup.Since.ToDateTimeUtc();
        var client = Client();
        var call = TwilioWire.Begin(cancellationToken);
        try
        {
            var sent = await MessageResource.ReadAsync(new ReadMessageOptions
            {
                To = wanted.To, From = wanted.From, DateSentAfter = since, PageSize = LookupPage, Limit = LookupPage,
            }, client);
            var match = sent.FirstOrDefault(m => Matches(m, wanted, since));
            if (match is null)
            {
                var recent = await MessageResource.ReadAsync(new ReadMessageOptions
                {
                    To = wanted.To, From = wanted.From, PageSize = LookupPage, Limit = LookupPage,
                }, client);
                match = recent.FirstOrDefault(m => m.DateSent is null && Matches(m, wanted, since));
            }

            if (match is null)
            {
                _logger.LogInformation("Twilio has no message like the one an earlier attempt may have sent; sending it");
                return null;
            }

            _logger.LogInformation("Twilio already has {Sid} ({Status}): adopted, not sent again", match.Sid, match.Status);
            return Receipt(match);
        }
        catch (ApiConnectionException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (ApiConnectionException ex)
        {
            // "May have been sent" stays true: whether the earlier copy exists is still unknown, so no
            // other provider may take the message over in this attempt.
            throw Failure(SendFailureKind.Transient, $"Twilio could not be asked whether it already has the message: {ex.InnerException?.Message ?? ex.Message}",
                "lookup", mayHaveBeenSent: true, ex);
        }
        catch (ApiException ex)
        {
            var status = ex.Status > 0 ? ex.Status : (int?)call.Status ?? 0;
            throw Failure(SendFailureKind.Transient, $"Twilio refused the lookup of an earlier attempt: HTTP {status}{(ex.Code > 0 ? $", code {ex.Code}" : "")}",
                "lookup", mayHaveBeenSent: true, ex);
        }
    }

    // One page: an attempt's earlier copy is among the newest messages to that number.
    private const int LookupPage = 50;

    private static bool Matches(MessageResource m, CreateMessageOptions wanted, DateTime since) =>
        m.Direction == MessageResource.DirectionEnum.OutboundApi
        && string.Equals(Normalized(m.Body), Normalized(wanted.Body), StringComparison.Ordinal)
        && string.Equals(m.To, wanted.To.ToString(), StringComparison.Ordinal)
        && (wanted.From is null || string.Equals(m.From?.ToString(), wanted.From.ToString(), StringComparison.Ordinal))
        && (wanted.MessagingServiceSid is null || string.Equals(m.MessagingServiceSid, wanted.MessagingServiceSid, StringComparison.Ordinal))
        && (m.DateCreated is not { } created || created.ToUniversalTime() >= since);

    // Twilio stores line breaks as sent; only CR LF versus LF is allowed to differ.
    private static string Normalized(string? body) => (body ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>
    /// A client per call is cheap (no sockets of its own): the factory's handler holds the connections,
    /// and a fresh HttpClient lets it rotate them.
    /// </summary>
    private TwilioRestClient Client() =>
        new(_options.AccountSid, _options.AuthToken, _options.AccountSid, httpClient: new SystemNetHttpClient(_http.CreateClient(HttpClientName)));

    /// <summary>
    /// A sender named on the request (a client's own number) wins; otherwise the messaging service
    /// when configured (Twilio then picks the number from its pool), else the configured number.
    /// </summary>
    private CreateMessageOptions Options(SmsRequest request)
    {
        var options = new CreateMessageOptions(new PhoneNumber(request.To)) { Body = request.Body, StatusCallback = request.StatusCallbackUrl };
        if (!string.IsNullOrWhiteSpace(request.From))
        {
            options.From = new PhoneNumber(request.From);
        }
        else if (!string.IsNullOrWhiteSpace(_options.MessagingServiceSid))
        {
            options.MessagingServiceSid = _options.MessagingServiceSid;
        }
        else
        {
            options.From = new PhoneNumber(_options.From);
        }

        return options;
    }

    private ProviderReceipt Receipt(MessageResource message)
    {
        if (string.IsNullOrEmpty(message.Sid))
        {
            // 2xx without a SID: accepted all the same (see above).
            _logger.LogWarning("Twilio accepted a message without a SID; its delivery callbacks cannot be matched");
            return new ProviderReceipt(ProviderName, "", "accepted");
        }

        int? segments = int.TryParse(message.NumSegments, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        // Twilio reports a price as a negative string ("-0.00750": money leaving the account), or
        // null until the message is priced, which is usually after acceptance.
        decimal? price = decimal.TryParse(message.Price, NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? Math.Abs(p) : null;
        var receipt = new ProviderReceipt(ProviderName, message.Sid, message.Status?.ToString() ?? "queued", segments, price,
            price is null ? null : message.PriceUnit?.ToUpperInvariant());
        _logger.LogDebug("Twilio accepted {Sid} ({Status}, {Segments} segments)", receipt.ProviderMessageId, receipt.Status, receipt.Segments);
        return receipt;
    }

    /// <summary>
    /// From Twilio's error (HTTP status, its code, <c>more_info</c>): 429 or code 20429 transient; 503
    /// transient and not sent (Twilio did not take it in); other 5xx transient and may have been sent; 401/403 transient (our credentials, not the recipient); a
    /// 400/404 with a recipient or content code permanent; anything else transient (our setup).
    /// </summary>
    private ProviderSendException Classify(ApiException ex, HttpStatusCode? seen)
    {
        // The library leaves Status at 0 when the body is not Twilio's JSON (a proxy's HTML page): the
        // status the wire saw classifies it then.
        var statusNumber = ex.Status > 0 ? ex.Status : (int?)seen ?? 0;
        int? code = ex.Code > 0 ? ex.Code : null;
        var errorCode = code?.ToString(CultureInfo.InvariantCulture) ?? statusNumber.ToString(CultureInfo.InvariantCulture);
        var detail = code is null ? "" : $": {ex.Message}";
        var more = string.IsNullOrEmpty(ex.MoreInfo) ? "" : $" ({ex.MoreInfo})";
        var text = $"Twilio refused the message: HTTP {statusNumber}{(code is null ? "" : $", code {code}")}{detail}{more}";

        if (statusNumber == 429 || code == 20429)
        {
            return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: false, ex);
        }

        if (statusNumber == 503)
        {
            // Twilio documents 503 as "temporarily unable to service the request": not taken in, so the
            // next provider may send it in this attempt.
            return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: false, ex);
        }

        if (statusNumber >= 500)
        {
            // Checkpoint: a 5xx can come after Twilio stored the message (a gateway timing out in
            // front of it), so a retry or failover may deliver a second copy.
            return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: true, ex);
        }

        if (statusNumber is 401 or 403)
        {
            // Bad or revoked credentials (or a suspended account) are our provider's problem, not the
            // recipient's: another provider can still send this message, and once the credentials are
            // fixed a retry will. Permanent would dead-letter every message for a configuration slip.
            return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: false, ex);
        }

        if (statusNumber is 400 or 404 && code is { } c && IsRecipientOrContentError(c))
        {
            return Failure(SendFailureKind.Permanent, text, errorCode, mayHaveBeenSent: false, ex);
        }

        // Anything else (an unknown 4xx, a sender or account error, a 404 for a wrong account SID) is
        // about how this provider is set up, not about the message: another provider may take it.
        return Failure(SendFailureKind.Transient, text, errorCode, mayHaveBeenSent: false, ex);
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

    private ProviderSendException Failure(SendFailureKind kind, string message, string errorCode, bool mayHaveBeenSent, Exception? inner)
    {
        // Never log the request's Authorization header or the token; the text here is Twilio's own.
        _logger.LogWarning("Twilio send failed ({Kind}, {ErrorCode}, may have been sent: {MayHaveBeenSent}): {Message}",
            kind, errorCode, mayHaveBeenSent, PersonalData.Redact(message));
        return new ProviderSendException(ProviderName, kind, message, errorCode, mayHaveBeenSent, inner);
    }
}
