using System.Globalization;
using System.Text.Json;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Signing;
using FollowUp.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Delivery reports from the SMS webhook route (the business's automation that sent an SMS for us): a JSON
/// <c>{message_id | provider_message_id, status, error}</c> signed with the route's secret
/// (<c>X-FollowUp-Signature</c>, as everything on the route). It moves the message forward exactly as
/// Twilio's callbacks do: forward only, parked when it comes before the send stored its id.
/// </summary>
[ApiController]
[RawFormBody]
[Route("webhooks/route/status")]
[Tags("Webhooks")]
[EnableRateLimiting(WebhookLimitServiceCollectionExtensions.ProviderPolicy)]
internal sealed class SmsRouteWebhooksController(IOptions<WebhookRouteOptions> route, DeliveryUpdates deliveries, IClock clock) : ControllerBase
{
    private const int MaxBodyBytes = 16 * 1024;

    /// <summary>A delivery report for an SMS the webhook route sent.</summary>
    /// <remarks>204 applied (or parked until the send stores the id); 401 unsigned or forged; 422 naming the field.</remarks>
    [HttpPost]
    [EndpointSummary("SMS webhook route delivery report (JSON, X-FollowUp-Signature)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IResult> Receive(CancellationToken cancellationToken)
    {
        if (!route.Value.IsConfigured)
        {
            return WebhookProblems.NotConfigured("SMS webhook route not configured", "Set FollowUp:Sms:Webhook:Url and :Secret to use the route.");
        }

        var body = await WebhookBody.ReadAsync(Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return WebhookProblems.TooLarge($"At most {MaxBodyBytes} bytes.");
        }

        var check = CallSignature.Verify(route.Value.Secret!, Request.Headers[CallSignature.Header], body, clock.GetCurrentInstant());
        if (check != SignatureCheck.Valid)
        {
            return WebhookProblems.InvalidSignature(CallSignature.Header, check);
        }

        var (report, unreadable) = WebhookBody.ParseJson(body);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var errors = new Dictionary<string, string[]>();
        if (report.ValueKind != JsonValueKind.Object)
        {
            return Invalid(new Dictionary<string, string[]> { [""] = ["must be a JSON object"] });
        }

        long? messageId = null;
        if (report.TryGetProperty("message_id", out var idElement))
        {
            if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var id) && id > 0)
            {
                messageId = id;
            }
            else if (idElement.ValueKind == JsonValueKind.String && long.TryParse(idElement.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var text) && text > 0)
            {
                messageId = text;
            }
            else
            {
                errors["message_id"] = ["must be our message id (a positive integer)"];
            }
        }

        string? providerMessageId = null;
        if (report.TryGetProperty("provider_message_id", out var providerElement))
        {
            if (providerElement.ValueKind == JsonValueKind.String && providerElement.GetString() is { Length: > 0 and <= 200 } value)
            {
                providerMessageId = value;
            }
            else
            {
                errors["provider_message_id"] = ["must be a string of 1–200 characters"];
            }
        }

        if (messageId is null && providerMessageId is null && !errors.ContainsKey("message_id") && !errors.ContainsKey("provider_message_id"))
        {
            errors["message_id"] = ["message_id or provider_message_id is required"];
        }

        var statusWord = report.TryGetProperty("status", out var statusElement) && statusElement.ValueKind == JsonValueKind.String ? statusElement.GetString() : null;
        var status = DeliveryUpdates.FromProviderStatus(statusWord);
        if (status is null)
        {
            errors["status"] = ["must be one of sent, delivered, undelivered, failed"];
        }

        string? error = null;
        if (report.TryGetProperty("error", out var errorElement) && errorElement.ValueKind != JsonValueKind.Null)
        {
            if (errorElement.ValueKind == JsonValueKind.String && errorElement.GetString() is { Length: <= 500 } text)
            {
                error = text.Length == 0 ? null : text;
            }
            else
            {
                errors["error"] = ["must be a string of at most 500 characters"];
            }
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        // By the receiver's own id when it gave one; else by our message id, which also stands for the
        // receipt's id when the receiver answered without one of its own.
        await deliveries.ApplyAsync(WebhookRouteOptions.ProviderName, providerMessageId ?? messageId!.Value.ToString(CultureInfo.InvariantCulture),
            status!, error, null, null, null, messageId, cancellationToken);
        return TypedResults.NoContent();
    }

    // 422, each field and why, as the API's own validation problems; nothing was written.
    private static IResult Invalid(Dictionary<string, string[]> errors) =>
        ApiJson.ValidationProblem(new FluentValidation.Results.ValidationResult(
            errors.SelectMany(e => e.Value.Select(why => new FluentValidation.Results.ValidationFailure(e.Key, why)))));
}
