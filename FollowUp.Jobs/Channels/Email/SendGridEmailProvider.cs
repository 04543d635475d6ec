using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Mail;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// Sends through SendGrid's v3 Mail Send API (<c>POST /v3/mail/send</c>) with a typed HttpClient whose
/// timeout is <see cref="SendGridOptions.TimeoutSeconds"/>. SendGrid does not let a caller set
/// Message-ID, so our id travels as the custom arg <c>followup_message_id</c>, which SendGrid echoes in
/// every event webhook; the receipt carries SendGrid's <c>X-Message-Id</c>.
/// </summary>
internal sealed class SendGridEmailProvider : IEmailProvider
{
    /// <summary>The custom arg that carries our message id into SendGrid's events.</summary>
    public const string MessageIdArg = "followup_message_id";

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
        var url = new Uri(options.BaseUrl.TrimEnd('/') + "/v3/mail/send");
        using var message = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(BuildBody(request, options).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout fired. The request was most likely written, so SendGrid may have queued it.
            throw Fail(SendFailureKind.Transient, $"SendGrid did not answer within {options.TimeoutSeconds} s", "timeout", true, ex);
        }
        catch (HttpRequestException ex)
        {
            // A failed connect or TLS handshake sent nothing; a connection lost later may have delivered the request.
            var sentNothing = ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;
            throw Fail(SendFailureKind.Transient, $"SendGrid request failed: {ex.Message}", "io", !sentNothing, ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                // Checkpoint: SendGrid accepted the message (202). From here on it must not be sent again.
                var id = response.Headers.TryGetValues("X-Message-Id", out var values) ? values.FirstOrDefault() : null;
                if (string.IsNullOrEmpty(id))
                {
                    // Accepted without an id is still accepted: throwing would invite a double send.
                    _logger.LogWarning("SendGrid accepted {MessageId} without an X-Message-Id header", request.MessageId);
                    id = request.MessageId;
                }

                return new ProviderReceipt(Name, id, "accepted");
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw Classify(response.StatusCode, ParseErrors(body));
        }
    }

    /// <summary>The v3 body: one personalization with one recipient, text/plain first (SendGrid requires that order).</summary>
    internal static JsonObject BuildBody(EmailRequest request, SendGridOptions options)
    {
        MailAddress from;
        MailAddress to;
        if (!MailAddress.TryCreate(request.From ?? options.From, out from!))
        {
            throw new ProviderSendException("sendgrid", SendFailureKind.Transient, "Sender address is not valid", "from");
        }

        if (!MailAddress.TryCreate(request.To, out to!))
        {
            throw new ProviderSendException("sendgrid", SendFailureKind.Permanent, "Recipient address is not valid", "to");
        }

        var fromNode = new JsonObject { ["email"] = from.Address };
        if (!string.IsNullOrEmpty(from.DisplayName))
        {
            fromNode["name"] = from.DisplayName;
        }

        var content = new JsonArray { new JsonObject { ["type"] = "text/plain", ["value"] = request.TextBody } };
        if (request.HtmlBody is not null)
        {
            content.Add(new JsonObject { ["type"] = "text/html", ["value"] = request.HtmlBody });
        }

        return new JsonObject
        {
            ["personalizations"] = new JsonArray { new JsonObject { ["to"] = new JsonArray { new JsonObject { ["email"] = to.Address } } } },
            ["from"] = fromNode,
            ["subject"] = request.Subject,
            ["content"] = content,
            ["custom_args"] = new JsonObject { [MessageIdArg] = request.MessageId },
        };
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
            kind, errorCode, mayHaveBeenSent, message);
        return new ProviderSendException(Name, kind, message, errorCode, mayHaveBeenSent, inner);
    }

    /// <summary>One entry of SendGrid's error body.</summary>
    internal sealed record SendGridError(string Message, string? Field, string? Help);
}
