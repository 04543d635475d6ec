using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Messages;
using FollowUp.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Web.Webhooks;

/// <summary>SendGrid's signed event webhook: delivery outcomes, and suppressions for bounces and complaints.</summary>
[ApiController]
[RawFormBody]
[Route("webhooks/sendgrid/events")]
[Tags("Webhooks")]
[EnableRateLimiting(WebhookLimitServiceCollectionExtensions.ProviderPolicy)]
internal sealed class SendGridEventsController(IOptions<SendGridOptions> options, DeliveryUpdates deliveries, Suppressions suppressions,
    IMessageClient messages, IClock clock, ILogger<SendGridEventsController> logger) : ControllerBase
{
    /// <summary>SendGrid batches events; a batch is far below this.</summary>
    public const int MaxBodyBytes = 5 * 1024 * 1024;

    private static readonly Duration Tolerance = Duration.FromSeconds(300);

    // Parsing a key is the slow half of a verification; keys change only with configuration.
    private static readonly ConcurrentDictionary<string, EllipticCurve.PublicKey> Keys = new(StringComparer.Ordinal);

    /// <summary>A batch of email events.</summary>
    /// <remarks>200 applied; 401 unsigned, forged, stale or no key configured; 400 not a JSON array of events, or a string in it that is not text (each named); 413 over 5 MiB.</remarks>
    [HttpPost]
    // Kestrel refuses a larger body before anything is buffered; the read below caps it again.
    [RequestSizeLimit(MaxBodyBytes)]
    [EndpointSummary("SendGrid event webhook (signed, ECDSA)")]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IResult> Receive(CancellationToken cancellationToken)
    {
        var key = options.Value.WebhookPublicKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            return WebhookProblems.NotConfigured("Event webhook not configured",
                "Set FollowUp:SendGrid:WebhookPublicKey to SendGrid's verification key.");
        }

        var body = await WebhookBody.ReadAsync(Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return WebhookProblems.TooLarge($"At most {MaxBodyBytes} bytes.");
        }

        var timestamp = Request.Headers[SendGridEventWebhook.TimestampHeader].ToString();
        var publicKey = Keys.GetOrAdd(key, SendGridEventWebhook.ParseKey);
        if (!SendGridEventWebhook.Verify(publicKey, Request.Headers[SendGridEventWebhook.SignatureHeader].ToString(), timestamp, Encoding.UTF8.GetString(body)))
        {
            return WebhookProblems.InvalidSignature("The event webhook signature does not verify.");
        }

        if (!long.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Instant.FromUnixTimeSeconds(seconds) is var signedAt && Duration.Max(clock.GetCurrentInstant() - signedAt, signedAt - clock.GetCurrentInstant()) > Tolerance)
        {
            return TypedResults.Problem(statusCode: 401, title: "Stale signature", detail: "The signed timestamp is more than 300 s away.");
        }

        var (events, unreadable) = WebhookBody.ParseJson(body);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (events.ValueKind != JsonValueKind.Array)
        {
            return TypedResults.Problem(statusCode: 400, title: "Malformed events", detail: "Expected a JSON array of events.");
        }

        foreach (var e in events.EnumerateArray())
        {
            await ApplyAsync(e, cancellationToken);
        }

        return TypedResults.Ok();
    }

    private async Task ApplyAsync(JsonElement e, CancellationToken cancellationToken)
    {
        var kind = Text(e, "event");
        var email = Text(e, "email");
        // sg_message_id is the X-Message-Id we stored, followed by ".filter…" routing parts. When
        // SendGrid accepted without an X-Message-Id we stored our own id, which the custom arg carries.
        var providerId = Text(e, "sg_message_id")?.Split('.')[0];
        var ourId = Text(e, SendGridEventWebhook.MessageIdArg);
        var reason = Text(e, "reason") ?? Text(e, "response");
        long? messageId = null;
        foreach (var id in new[] { providerId, ourId }.OfType<string>().Distinct())
        {
            var applied = kind switch
            {
                "delivered" => await deliveries.ApplyAsync("sendgrid", id, MessageStatus.Delivered, null, null, null, null, cancellationToken),
                "bounce" => await deliveries.ApplyAsync("sendgrid", id, MessageStatus.Undelivered, reason, null, null, null, cancellationToken),
                "dropped" => await deliveries.ApplyAsync("sendgrid", id, MessageStatus.Failed, reason, null, null, null, cancellationToken),
                "deferred" or "spamreport" or "unsubscribe" or "group_unsubscribe" =>
                    await deliveries.RecordEventAsync("sendgrid", id, kind, reason, cancellationToken),
                _ => null,
            };
            if (applied is not null)
            {
                messageId = applied;
                break;
            }

            if (kind is "delivered" or "bounce" or "dropped")
            {
                logger.LogInformation("SendGrid {Event} for unknown message {ProviderId}", kind, id);
            }
        }

        if (email is null)
        {
            return;
        }

        if (kind is "spamreport" or "unsubscribe" or "group_unsubscribe")
        {
            // The recipient's answer to one sender's mail (SendGrid's own unsubscribe link, its group
            // unsubscribe, or "report spam"): the client of the message it names, the same suppression as
            // our one-click link. Only when the event names no message of ours, every client that mailed
            // the address, since which one it meant cannot be told.
            var clientId = messageId is { } id ? (await messages.FindAsync(id, cancellationToken))?.ClientId : null;
            var clients = clientId is not null ? [clientId] : await suppressions.ClientsMessagingAsync(Channel.Email, email, cancellationToken);
            await suppressions.SuppressAsync(clients, Channel.Email, email, $"sendgrid {kind}", cancellationToken);
        }
        else if (kind is "bounce" or "dropped")
        {
            // The address itself fails: no client can reach it.
            var clients = await suppressions.ClientsMessagingAsync(Channel.Email, email, cancellationToken);
            await suppressions.SuppressAsync(clients, Channel.Email, email, $"sendgrid {kind}", cancellationToken);
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
