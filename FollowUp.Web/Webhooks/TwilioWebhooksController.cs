using System.Globalization;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Conversations;
using FollowUp.Jobs.Messages;
using FollowUp.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Twilio's messaging callbacks: delivery status and inbound SMS (customers' replies), each verified by
/// <see cref="TwilioRequest"/> (Twilio's RequestValidator) and under the provider-webhook limit.
/// </summary>
[ApiController]
[RawFormBody]
[Route("webhooks/twilio")]
[Tags("Webhooks")]
[EnableRateLimiting(WebhookLimitServiceCollectionExtensions.ProviderPolicy)]
internal sealed class TwilioWebhooksController(IOptions<TwilioOptions> twilio, IOptions<PublicUrlOptions> publicUrl) : ControllerBase
{
    private const decimal MaxPrice = 10_000_000m;

    private const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

    /// <summary>A message's delivery status.</summary>
    /// <remarks>204 applied, parked until the send records the SID, or not a status we track; 400 a field that is not text, or a
    /// <c>Price</c> no message costs (each named); 401 unsigned or forged; 413 too large.</remarks>
    [HttpPost("status")]
    [EndpointSummary("Twilio delivery status (form-encoded, X-Twilio-Signature)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IResult> ReceiveStatus([FromServices] DeliveryUpdates deliveries, CancellationToken cancellationToken)
    {
        var (verified, _, problem) = await TwilioRequest.VerifyAsync(Request, twilio.Value, publicUrl.Value, cancellationToken);
        if (verified is not { } form)
        {
            return problem!;
        }

        var sid = form.GetValueOrDefault("MessageSid");
        // queued, accepting, sending, scheduled, canceled: nothing to record on the message.
        var status = DeliveryUpdates.FromProviderStatus(form.GetValueOrDefault("MessageStatus"));
        if (sid is null || status is null)
        {
            return TypedResults.NoContent();
        }

        var error = form.GetValueOrDefault("ErrorCode") is { Length: > 0 } code ? $"Twilio error {code}" : null;
        int? segments = int.TryParse(form.GetValueOrDefault("NumSegments"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        decimal? price = decimal.TryParse(form.GetValueOrDefault("Price"), NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? Math.Abs(p) : null;
        if (price >= MaxPrice)
        {
            // The cost column holds numeric(12, 5); no SMS costs this, and storing it would fail (22003).
            return WireText.Problem(new() { ["Price"] = [$"must be below {MaxPrice.ToString(CultureInfo.InvariantCulture)}"] },
                "A value that cannot be stored", "No message costs this much; nothing was recorded.");
        }

        // The callback URL names our message (signed with the rest of the URL), so a callback for an attempt
        // whose node died records the SID by itself. An unknown SID without one is parked, not dropped:
        // Twilio can call back before the send stored it.
        long? messageId = long.TryParse(Request.Query[PublicUrlOptions.MessageIdParameter], NumberStyles.None, CultureInfo.InvariantCulture, out var named)
            ? named : null;
        await deliveries.ApplyAsync("twilio", sid, status, error, segments, price, form.GetValueOrDefault("PriceUnit"), messageId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// An SMS to one of our numbers: recorded in its conversation and acted on (appointment answers,
    /// nurture stop, STOP/START/HELP), in one transaction; a retry with the same MessageSid does nothing again.
    /// A field that is not text (a NUL) is a 400 naming it.
    /// </summary>
    [HttpPost("inbound")]
    [EndpointSummary("Twilio inbound SMS (form-encoded, X-Twilio-Signature); answers empty TwiML")]
    [Produces("text/xml")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/xml")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IResult> ReceiveInbound([FromServices] InboundReplies replies, CancellationToken cancellationToken)
    {
        var (verified, _, problem) = await TwilioRequest.VerifyAsync(Request, twilio.Value, publicUrl.Value, cancellationToken);
        if (verified is not { } form)
        {
            return problem!;
        }

        // As E.164, the form every number is stored in, so a suppression matches the messages' recipient
        // and a client's sms_from. A sender that is no phone number (a short code) is kept as it came.
        var from = E164.NormalizeOrKeep(form.GetValueOrDefault("From") ?? "");
        var to = E164.NormalizeOrKeep(form.GetValueOrDefault("To") ?? "");
        // Sent through our Messaging Service, the reply names the pool number Twilio picked, which is
        // no client's sms_from: the service itself says it reached the clients on the default sender.
        var viaOurService = !string.IsNullOrEmpty(twilio.Value.MessagingServiceSid)
            && string.Equals(form.GetValueOrDefault("MessagingServiceSid"), twilio.Value.MessagingServiceSid, StringComparison.Ordinal);
        var outcome = await replies.ReceiveAsync(new InboundSms("twilio", form.GetValueOrDefault("MessageSid"), from, to, form.GetValueOrDefault("Body") ?? "",
            twilio.Value.From, viaOurService), cancellationToken);
        // The client's help_text answers HELP/INFO in Twilio's own response (one message, never twice:
        // a retried webhook is a duplicate and gets the empty answer); otherwise nothing is said.
        return TypedResults.Content(outcome.Reply is { } reply ? MessageTwiml(reply) : EmptyTwiml, "text/xml");
    }

    // XElement escapes the text (&, <, >), so a help text never breaks out of its <Message>.
    private static string MessageTwiml(string text) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + new System.Xml.Linq.XElement("Response", new System.Xml.Linq.XElement("Message", text)).ToString(System.Xml.Linq.SaveOptions.DisableFormatting);
}
