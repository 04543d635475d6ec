using System.Globalization;
using System.Text;
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
/// Vonage's delivery receipts for the SMS it sent for us. Vonage sends them as a GET (query) or a POST (form
/// or JSON), as the account is set; each is verified as a Vonage signed webhook (<see cref="VonageSignature"/>:
/// <c>sig</c> over the other parameters with the account's signature secret, <c>timestamp</c> within five
/// minutes) before anything is read. A receipt names Vonage's <c>messageId</c> and our <c>client-ref</c> (the
/// message id we sent), so one for a send whose answer was lost (a timeout) still finds its message and
/// proves Vonage has it. It moves the message as Twilio's callbacks do: forward only; parked when it comes
/// before the send stored Vonage's id and names no message of ours.
/// </summary>
[ApiController]
[RawFormBody]
[Route("webhooks/vonage/status")]
[Tags("Webhooks")]
[EnableRateLimiting(WebhookLimitServiceCollectionExtensions.ProviderPolicy)]
internal sealed class VonageWebhooksController(IOptions<VonageOptions> vonage, DeliveryUpdates deliveries, IClock clock) : ControllerBase
{
    private const int MaxBodyBytes = 16 * 1024;

    /// <summary>A delivery receipt sent as a GET (its parameters in the query).</summary>
    /// <remarks>204 applied (or parked); 400 naming a malformed field; 401 unsigned, forged or stale.</remarks>
    [HttpGet]
    [EndpointSummary("Vonage delivery receipt (GET, signed with the account's signature secret)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public Task<IResult> ReceiveQuery(CancellationToken cancellationToken) =>
        ApplyAsync(Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal), cancellationToken);

    /// <summary>A delivery receipt sent as a POST (form-encoded or JSON).</summary>
    /// <remarks>204 applied (or parked); 400 malformed JSON or naming a malformed field; 401 unsigned, forged or stale; 413 too large.</remarks>
    [HttpPost]
    [EndpointSummary("Vonage delivery receipt (POST form or JSON, signed with the account's signature secret)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IResult> ReceiveBody(CancellationToken cancellationToken)
    {
        var body = await WebhookBody.ReadAsync(Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return WebhookProblems.TooLarge($"At most {MaxBodyBytes} bytes.");
        }

        if (Request.HasJsonContentType())
        {
            var (json, unreadable) = WebhookBody.ParseJson(body);
            if (unreadable is not null)
            {
                return unreadable;
            }

            if (json.ValueKind != JsonValueKind.Object)
            {
                return WireText.Problem(new() { [""] = ["must be a JSON object"] }, "Malformed receipt", "A Vonage receipt is one JSON object; nothing was recorded.");
            }

            // Vonage's JSON receipts carry every value as a string; a number or true is taken as its text, as it was signed.
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in json.EnumerateObject())
            {
                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => "",
                    _ => property.Value.GetRawText(),
                };
            }

            return await ApplyAsync(fields, cancellationToken);
        }

        return await ApplyAsync(TwilioForm.Parse(Encoding.UTF8.GetString(body)), cancellationToken);
    }

    private async Task<IResult> ApplyAsync(Dictionary<string, string> receipt, CancellationToken cancellationToken)
    {
        var options = vonage.Value;
        if (string.IsNullOrEmpty(options.SignatureSecret))
        {
            // Unsigned receipts are never taken: without the secret nothing can be verified.
            return WebhookProblems.NotConfigured("Vonage receipts not configured",
                "Set FollowUp:Sms:Vonage:SignatureSecret (and enable signed webhooks on the Vonage account) so its receipts can be verified.");
        }

        var check = VonageSignature.Verify(options.SignatureSecret, options.SignatureMethod, receipt, clock.GetCurrentInstant());
        if (check != SignatureCheck.Valid)
        {
            return WebhookProblems.InvalidSignature(check switch
            {
                SignatureCheck.Missing => "The receipt has no sig or no timestamp: only signed receipts are accepted.",
                SignatureCheck.Malformed => "The receipt's timestamp is not unix seconds.",
                SignatureCheck.Expired => $"The receipt's timestamp is more than {CallSignature.Tolerance.TotalSeconds:0} seconds from now.",
                _ => "The receipt's sig does not match its parameters.",
            });
        }

        if (WireText.FindInForm(receipt) is { Count: > 0 } unusable)
        {
            return WireText.Problem(unusable);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var providerMessageId = receipt.GetValueOrDefault("messageId");
        if (providerMessageId is not { Length: > 0 and <= 200 })
        {
            errors["messageId"] = ["is required: Vonage's id of the message, 1–200 characters"];
        }

        long? named = null;
        if (receipt.TryGetValue("client-ref", out var reference) && reference.Length > 0)
        {
            if (long.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                named = id;
            }
            else
            {
                errors["client-ref"] = ["must be our message id (a positive integer), as we sent it"];
            }
        }

        var word = receipt.GetValueOrDefault("status");
        var status = StatusFor(word);
        if (status is null)
        {
            errors["status"] = ["must be one of delivered, expired, failed, rejected, accepted, buffered, unknown"];
        }

        if (errors.Count > 0)
        {
            return WireText.Problem(errors, "Malformed receipt", "Each field named is not as Vonage documents it; nothing was recorded.");
        }

        var errCode = receipt.GetValueOrDefault("err-code");
        var error = status == MessageStatus.Undelivered
            ? $"Vonage {word}{(errCode is { Length: > 0 } and not "0" ? $", err-code {errCode}" : "")}"
            : null;
        await deliveries.ApplyAsync(VonageOptions.ProviderName, providerMessageId!, status!, error, null, null, null, named, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Vonage's receipt statuses as ours: delivered; failed, rejected and expired (the carrier gave up) undelivered;
    /// accepted, buffered and unknown sent (Vonage has it, the handset has not said).
    /// </summary>
    private static string? StatusFor(string? word) => word switch
    {
        "delivered" => MessageStatus.Delivered,
        "failed" or "rejected" or "expired" => MessageStatus.Undelivered,
        "accepted" or "buffered" or "unknown" => MessageStatus.Sent,
        _ => null,
    };
}
