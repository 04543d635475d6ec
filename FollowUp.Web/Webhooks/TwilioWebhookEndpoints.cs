using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Twilio's callbacks: delivery status and inbound SMS (STOP/START/HELP). Each request must carry a
/// valid <c>X-Twilio-Signature</c> computed with the account's auth token over the public URL Twilio
/// called (<c>FollowUp:PublicBaseUrl</c> + path and query) and the form parameters.
/// </summary>
internal static class TwilioWebhookEndpoints
{
    private const int MaxFormBytes = 64 * 1024;
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
        var (verified, problem) = await VerifiedFormAsync(request, twilio.Value, publicUrl.Value, cancellationToken);
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
        var (verified, problem) = await VerifiedFormAsync(request, twilio.Value, publicUrl.Value, cancellationToken);
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

    /// <summary>The form when its Twilio signature verifies; else a 401 (or 413) problem and nothing is read further.</summary>
    private static async Task<(Dictionary<string, string>? Form, IResult? Problem)> VerifiedFormAsync(
        HttpRequest request, TwilioOptions twilio, PublicUrlOptions publicUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(twilio.AuthToken))
        {
            return (null, TypedResults.Problem(statusCode: 401, title: "Twilio not configured",
                detail: "Set FollowUp:Twilio:AuthToken so Twilio's signatures can be verified."));
        }

        if (request.ContentLength > MaxFormBytes)
        {
            return (null, TypedResults.Problem(statusCode: 413, title: "Body too large", detail: $"At most {MaxFormBytes} bytes."));
        }

        if (!request.HasFormContentType)
        {
            return (null, TypedResults.Problem(statusCode: 401, title: "Invalid signature", detail: "Expected a signed form post."));
        }

        var form = (await request.ReadFormAsync(cancellationToken)).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var url = publicUrl.UrlFor(request.Path + request.QueryString, $"{request.Scheme}://{request.Host}");
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        return TwilioSignature.IsValid(twilio.AuthToken, url, form, signature)
            ? (form, null)
            : (null, TypedResults.Problem(statusCode: 401, title: "Invalid signature", detail: "X-Twilio-Signature does not verify."));
    }
}
