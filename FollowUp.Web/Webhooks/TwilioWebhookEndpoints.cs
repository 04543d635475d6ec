using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Twilio's callbacks: delivery status and inbound SMS (STOP/START/HELP), each verified by
/// <see cref="TwilioRequest"/>.
/// </summary>
internal static class TwilioWebhookEndpoints
{
    private const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

    public static IEndpointRouteBuilder MapTwilioWebhooks(this IEndpointRouteBuilder app)
    {
        // POST /webhooks/twilio/status    204 applied (or not a status we track); 401 unsigned or forged; 413 too large
        // POST /webhooks/twilio/inbound   200 empty TwiML; STOP-words suppress, START-words lift, HELP is recorded
        app.MapPost("/webhooks/twilio/status", ReceiveStatus).WithTags("Webhooks").ExcludeFromDescription();
        app.MapPost("/webhooks/twilio/inbound", ReceiveInbound).WithTags("Webhooks").ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ReceiveStatus(HttpRequest request, IOptions<TwilioOptions> twilio, IOptions<PublicUrlOptions> publicUrl,
        DeliveryUpdates deliveries, CancellationToken cancellationToken)
    {
        var (verified, _, problem) = await TwilioRequest.VerifyAsync(request, twilio.Value, publicUrl.Value, cancellationToken);
        if (verified is not { } form)
        {
            return problem!;
        }

        var sid = form.GetValueOrDefault("MessageSid");
        var status = form.GetValueOrDefault("MessageStatus") switch
        {
            "sent" => MessageStatus.Sent,
            "delivered" or "read" => MessageStatus.Delivered,
            "undelivered" => MessageStatus.Undelivered,
            "failed" => MessageStatus.Failed,
            _ => null, // queued, accepting, sending, scheduled, canceled: nothing to record on the message
        };
        if (sid is null || status is null)
        {
            return TypedResults.NoContent();
        }

        var error = form.GetValueOrDefault("ErrorCode") is { Length: > 0 } code ? $"Twilio error {code}" : null;
        int? segments = int.TryParse(form.GetValueOrDefault("NumSegments"), out var n) ? n : null;
        decimal? price = decimal.TryParse(form.GetValueOrDefault("Price"), System.Globalization.NumberStyles.Number,
            System.Globalization.CultureInfo.InvariantCulture, out var p) ? Math.Abs(p) : null;
        await deliveries.ApplyAsync("twilio", sid, status, error, segments, price, form.GetValueOrDefault("PriceUnit"), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ReceiveInbound(HttpRequest request, IOptions<TwilioOptions> twilio, IOptions<PublicUrlOptions> publicUrl,
        Suppressions suppressions, InboundSmsLog log, CancellationToken cancellationToken)
    {
        var (verified, _, problem) = await TwilioRequest.VerifyAsync(request, twilio.Value, publicUrl.Value, cancellationToken);
        if (verified is not { } form)
        {
            return problem!;
        }

        var from = form.GetValueOrDefault("From") ?? "";
        var to = form.GetValueOrDefault("To") ?? "";
        var body = form.GetValueOrDefault("Body") ?? "";
        var keyword = InboundKeywords.Classify(body);
        var clients = await suppressions.ClientsSendingFromAsync(to, twilio.Value.From, cancellationToken);
        switch (keyword)
        {
            case InboundKeyword.Stop:
                await suppressions.SuppressAsync(clients, "sms", from, $"replied {body.Trim().ToUpperInvariant()}", cancellationToken);
                break;
            case InboundKeyword.Start:
                await suppressions.LiftAsync(clients, "sms", from, cancellationToken);
                break;
        }

        await log.RecordAsync("twilio", form.GetValueOrDefault("MessageSid"), from, to, body, keyword, clients, cancellationToken);
        return TypedResults.Content(EmptyTwiml, "text/xml");
    }
}
