using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// Sends with SendGrid's library (<see cref="SendGridClient"/>, v3 Mail Send) over a typed HttpClient from
/// the factory whose timeout is <see cref="SendGridOptions.TimeoutSeconds"/>; <see cref="SendGridOptions.BaseUrl"/>
/// is the library's host, so tests and staging point it at a fake. SendGrid does not let a caller set
/// Message-ID, so our id travels as the custom arg <c>followup_message_id</c>, which SendGrid echoes in
/// every event webhook; the receipt carries SendGrid's <c>X-Message-Id</c>.
/// </summary>
internal sealed class SendGridEmailProvider : IEmailProvider
{
    /// <summary>The custom arg that carries our message id into SendGrid's events.</summary>
    public const string MessageIdArg = SendGridEventWebhook.MessageIdArg;

    private readonly HttpClient _http;
    private readonly IOptions<SendGridOptions> _options;
    private readonly ILogger<SendGridEmailProvider> _logger;

    public SendGridEmailProvider(HttpClient http, IOptions<SendGridOptions> options, ILogger<SendGridEmailProvider> logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
    }

    public string Name => "sendgrid";

    public bool IsConfigured => _options.Value.IsConfigured;

    public async Task<ProviderReceipt> SendAsync(EmailRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options.Value;
        var message = BuildMessage(request, options);
        // SendGrid's client over the factory's HttpClient (its timeout is ours); no retries of its own
        // (the default), since a retry here could send twice behind the engine's back.
        var client = new SendGridClient(_http, new SendGridClientOptions { ApiKey = options.ApiKey, Host = options.BaseUrl.TrimEnd('/') });

        Response response;
        try
        {
            response = await client.SendEmailAsync(message, cancellationToken);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout fired. The request was most likely written, so SendGrid may have queued it.
            throw Fail(SendFailureKind.Transient, $"SendGrid did not answer within {options.TimeoutSeconds} s", "timeout", true, ex);
        }
        catch (HttpRequestException ex)
        {
            // A failed connect or TLS handshake sent nothing; a connection lost later may have delivered the request.
            var sentNothing = HttpSendFailures.NothingWritten(ex);
            throw Fail(SendFailureKind.Transient, $"SendGrid request failed: {ex.Message}", "io", !sentNothing, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            // Checkpoint: SendGrid accepted the message (202). From here on it must not be sent again.
            var id = response.Headers.TryGetValues("X-Message-Id", out var values) ? values.FirstOrDefault() : null;
            if (string.IsNullOrEmpty(id))
            {
                // Accepted without an id is still accepted: throwing would invite a double send. Its
                // events still map back through the custom arg.
                _logger.LogWarning("SendGrid accepted {MessageId} without an X-Message-Id header", request.MessageId);
                id = request.MessageId;
            }

            return new ProviderReceipt(Name, id, "accepted");
        }

        var body = response.Body is null ? "" : await response.Body.ReadAsStringAsync(cancellationToken);
        throw Classify(response.StatusCode, ParseErrors(body));
    }

    /// <summary>
    /// The message, with SendGrid's helpers: one recipient, text/plain then text/html (the order SendGrid
    /// requires), our id as a custom arg (echoed in every event), the message's kind as a category, and a marketing
    /// kind's List-Unsubscribe headers (<see cref="ListUnsubscribe"/>).
    /// </summary>
    internal static SendGridMessage BuildMessage(EmailRequest request, SendGridOptions options)
    {
        if (!MailAddress.TryCreate(request.From ?? options.From, out var from))
        {
            throw new ProviderSendException("sendgrid", SendFailureKind.Transient, "Sender address is not valid", "from");
        }

        if (!MailAddress.TryCreate(request.To, out var to) || to.Address != request.To.Trim())
        {
            throw new ProviderSendException("sendgrid", SendFailureKind.Permanent, "Recipient address is not valid", "to");
        }

        var message = MailHelper.CreateSingleEmail(
            new EmailAddress(from.Address, string.IsNullOrEmpty(from.DisplayName) ? null : from.DisplayName),
            new EmailAddress(to.Address), request.Subject, request.TextBody, request.HtmlBody);
        message.AddCustomArg(MessageIdArg, request.MessageId);
        if (request.Category is { Length: > 0 } category)
        {
            message.AddCategory(category);
        }

        // Custom headers travel in the request's top-level "headers" object; SendGrid reserves only its own and the
        // addressing ones, so the one-click pair reaches the mailbox as we wrote it.
        foreach (var (name, value) in ListUnsubscribe.Headers(request, from.Address))
        {
            message.AddGlobalHeader(name, value);
        }

        return message;
    }

    /// <summary>
    /// 400 is permanent (the message or its recipient is wrong: retrying the same request gets the same
    /// answer) unless an error names <c>from</c>, <c>reply_to</c> or the API key, which are our
    /// configuration: another provider may still deliver it. 401/403 (key revoked, sender not verified)
    /// are transient for the same reason, and so that a key rotation does not dead-letter the whole queue.
    /// 413 (too large) is permanent. 429 and 5xx are transient; a 5xx may have been sent. Anything else
    /// unexpected (404 from a wrong BaseUrl, …) is transient.
    /// </summary>
    private ProviderSendException Classify(HttpStatusCode status, IReadOnlyList<SendGridError> errors)
    {
        var code = (int)status;
        var detail = errors.Count == 0
            ? ""
            : ": " + string.Join("; ", errors.Select(e => e.Field is null ? e.Message : $"{e.Field}: {e.Message}"));
        var text = $"SendGrid {code}{detail}";
        var errorCode = code.ToString(CultureInfo.InvariantCulture);
        return code switch
        {
            400 when errors.Any(e => IsOurConfiguration(e.Field)) => Fail(SendFailureKind.Transient, text, errorCode, false, null),
            400 or 413 => Fail(SendFailureKind.Permanent, text, errorCode, false, null),
            >= 500 => Fail(SendFailureKind.Transient, text, errorCode, true, null),
            _ => Fail(SendFailureKind.Transient, text, errorCode, false, null),
        };
    }

    private static bool IsOurConfiguration(string? field) =>
        field is not null
        && (field.StartsWith("from", StringComparison.OrdinalIgnoreCase)
            || field.StartsWith("reply_to", StringComparison.OrdinalIgnoreCase)
            || field.Equals("authorization", StringComparison.OrdinalIgnoreCase)
            || field.Equals("api_key", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads <c>{"errors":[{"message","field","help"}]}</c>; any other body yields no errors.</summary>
    internal static IReadOnlyList<SendGridError> ParseErrors(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["errors"] is not JsonArray array)
            {
                return [];
            }

            return [.. array.OfType<JsonObject>().Select(e => new SendGridError(
                Text(e["message"]) ?? "(no message)", Text(e["field"]), Text(e["help"])))];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    // SendGrid sends null for a missing field; a non-string value is kept as its JSON text.
    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) ? s : node?.ToJsonString();

    private ProviderSendException Fail(SendFailureKind kind, string message, string errorCode, bool mayHaveBeenSent, Exception? inner)
    {
        // The API key is never part of the message: it lives only in the request's Authorization header.
        _logger.LogWarning("SendGrid send failed ({Kind}, {ErrorCode}, may have been sent: {MayHaveBeenSent}): {Message}",
            kind, errorCode, mayHaveBeenSent, PersonalData.Redact(message));
        return new ProviderSendException(Name, kind, message, errorCode, mayHaveBeenSent, inner);
    }

    /// <summary>One entry of SendGrid's error body.</summary>
    internal sealed record SendGridError(string Message, string? Field, string? Help);
}
