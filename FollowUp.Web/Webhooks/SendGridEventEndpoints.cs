using System.Text.Json;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Messages;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Web.Webhooks;

/// <summary>SendGrid's signed event webhook: delivery outcomes, and suppressions for bounces and complaints.</summary>
internal static class SendGridEventEndpoints
{
    private const int MaxBodyBytes = 5 * 1024 * 1024;
    private static readonly Duration Tolerance = Duration.FromSeconds(300);

    public static IEndpointRouteBuilder MapSendGridWebhooks(this IEndpointRouteBuilder app)
    {
        // POST /webhooks/sendgrid/events   200 applied; 401 unsigned, forged, stale or no key configured;
        //                                  400 not a JSON array of events; 413 over 5 MiB
        app.MapPost("/webhooks/sendgrid/events", ReceiveEvents).WithTags("Webhooks").ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ReceiveEvents(
        HttpRequest request, IOptions<SendGridOptions> options, DeliveryUpdates deliveries, Suppressions suppressions,
        IClock clock, ILogger<SendGridOptions> logger, CancellationToken cancellationToken)
    {
        var key = options.Value.WebhookPublicKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            return TypedResults.Problem(statusCode: 401, title: "Event webhook not configured",
                detail: "Set FollowUp:SendGrid:WebhookPublicKey to SendGrid's verification key.");
        }

        var body = await WebhookBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: 413, title: "Body too large", detail: $"At most {MaxBodyBytes} bytes.");
        }

        var timestamp = request.Headers[SendGridEventWebhook.TimestampHeader].ToString();
        if (!SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(key), request.Headers[SendGridEventWebhook.SignatureHeader].ToString(), timestamp,
                System.Text.Encoding.UTF8.GetString(body)))
        {
            return TypedResults.Problem(statusCode: 401, title: "Invalid signature", detail: "The event webhook signature does not verify.");
        }

        if (!long.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Instant.FromUnixTimeSeconds(seconds) is var signedAt && Duration.Max(clock.GetCurrentInstant() - signedAt, signedAt - clock.GetCurrentInstant()) > Tolerance)
        {
            return TypedResults.Problem(statusCode: 401, title: "Stale signature", detail: "The signed timestamp is more than 300 s away.");
        }

        JsonElement events;
        try
        {
            events = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(statusCode: 400, title: "Malformed JSON", detail: ex.Message);
        }

        if (events.ValueKind != JsonValueKind.Array)
        {
            return TypedResults.Problem(statusCode: 400, title: "Malformed events", detail: "Expected a JSON array of events.");
        }

        foreach (var e in events.EnumerateArray())
        {
            await ApplyAsync(e, deliveries, suppressions, logger, cancellationToken);
        }

        return TypedResults.Ok();
    }

    private static async Task ApplyAsync(JsonElement e, DeliveryUpdates deliveries, Suppressions suppressions, ILogger logger, CancellationToken cancellationToken)
    {
        var kind = Text(e, "event");
        var email = Text(e, "email");
        // sg_message_id is the X-Message-Id we stored, followed by ".filter…" routing parts.
        var providerId = Text(e, "sg_message_id")?.Split('.')[0];
        var reason = Text(e, "reason") ?? Text(e, "response");
        if (providerId is not null)
        {
            var applied = kind switch
            {
                "delivered" => await deliveries.ApplyAsync("sendgrid", providerId, MessageStatus.Delivered, null, null, null, null, cancellationToken),
                "bounce" => await deliveries.ApplyAsync("sendgrid", providerId, MessageStatus.Undelivered, reason, null, null, null, cancellationToken),
                "dropped" => await deliveries.ApplyAsync("sendgrid", providerId, MessageStatus.Failed, reason, null, null, null, cancellationToken),
                "deferred" or "spamreport" or "unsubscribe" or "group_unsubscribe" =>
                    await deliveries.RecordEventAsync("sendgrid", providerId, kind, reason, cancellationToken),
                _ => null,
            };
            if (applied is null && kind is "delivered" or "bounce" or "dropped")
            {
                logger.LogInformation("SendGrid {Event} for unknown message {ProviderId}", kind, providerId);
            }
        }

        if (email is not null && kind is "bounce" or "dropped" or "spamreport" or "unsubscribe" or "group_unsubscribe")
        {
            var clients = await suppressions.ClientsMessagingAsync("email", email, cancellationToken);
            await suppressions.SuppressAsync(clients, "email", email, $"sendgrid {kind}", cancellationToken);
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
