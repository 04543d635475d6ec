using System.Globalization;
using System.Text.Json;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Signing;
using FollowUp.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Delivery reports from an SMS webhook route (the business's automation that sent an SMS for us): a JSON
/// <c>{message_id | provider_message_id, status, error}</c> signed with the route's secret
/// (<c>X-FollowUp-Signature</c>, as everything on the route) — the global route's at <c>/webhooks/route/status</c>,
/// a client's own route's at <c>/webhooks/route/{client_id}/status</c> with that client's secret, naming only
/// that client's messages. It moves the message forward exactly as Twilio's callbacks do: forward only, parked
/// when it comes before the send stored its id.
/// </summary>
[ApiController]
[RawFormBody]
[Route("webhooks/route")]
[Tags("Webhooks")]
[EnableRateLimiting(WebhookLimitServiceCollectionExtensions.ProviderPolicy)]
internal sealed class SmsRouteWebhooksController(IOptions<WebhookRouteOptions> route, DeliveryUpdates deliveries, IClock clock) : ControllerBase
{
    private const int MaxBodyBytes = 16 * 1024;

    /// <summary>A delivery report for an SMS the global webhook route sent.</summary>
    /// <remarks>204 applied (or parked until the send stores the id); 401 unsigned or forged; 422 naming the field.</remarks>
    [HttpPost("status")]
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

        var (report, problem) = await VerifiedReportAsync(route.Value.Secret!, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // By the receiver's own id when it gave one; else by our message id, which also stands for the
        // receipt's id when the receiver answered without one of its own.
        await deliveries.ApplyAsync(WebhookRouteOptions.ProviderName, report!.ProviderMessageId ?? report.MessageId!.Value.ToString(CultureInfo.InvariantCulture),
            report.Status, report.Error, null, null, null, report.MessageId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A delivery report for an SMS a client's own route sent, signed with that client's route secret.</summary>
    /// <remarks>204 applied (or parked); 401 unsigned, forged, or no route for the client; 422 naming the field (a message of another client included).</remarks>
    [HttpPost("{clientId}/status")]
    [EndpointSummary("A client's own SMS route delivery report (JSON, X-FollowUp-Signature with the client's route secret)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IResult> ReceiveForClient(string clientId, [FromServices] ClientStore clients, CancellationToken cancellationToken)
    {
        // An unknown client and one without a route answer alike: nothing says which ids exist.
        if (clientId.Length > 63 || await clients.FindSmsRouteSecretAsync(clientId, cancellationToken) is not { } secret)
        {
            return WebhookProblems.NotConfigured("No SMS route", "This client has no SMS route whose secret could verify the report.");
        }

        var (report, problem) = await VerifiedReportAsync(secret, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (report!.MessageId is { } named && !await deliveries.IsClientsMessageAsync(clientId, named, cancellationToken))
        {
            return Invalid(new() { ["message_id"] = ["is not a message of this client"] });
        }

        // The receiver's own ids are kept per client (as the send stored them), so they cannot name another client's message.
        await deliveries.ApplyAsync(WebhookRouteOptions.ProviderName,
            report.ProviderMessageId is { } theirs ? clientId + "/" + theirs : report.MessageId!.Value.ToString(CultureInfo.InvariantCulture),
            report.Status, report.Error, null, null, null, report.MessageId, cancellationToken);
        return TypedResults.NoContent();
    }

    private sealed record Report(long? MessageId, string? ProviderMessageId, string Status, string? Error);

    /// <summary>The body, verified with <paramref name="secret"/> and read, or the problem to answer (nothing written either way).</summary>
    private async Task<(Report? Report, IResult? Problem)> VerifiedReportAsync(string secret, CancellationToken cancellationToken)
    {
        var body = await WebhookBody.ReadAsync(Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return (null, WebhookProblems.TooLarge($"At most {MaxBodyBytes} bytes."));
        }

        var check = CallSignature.Verify(secret, Request.Headers[CallSignature.Header], body, clock.GetCurrentInstant());
        if (check != SignatureCheck.Valid)
        {
            return (null, WebhookProblems.InvalidSignature(CallSignature.Header, check));
        }

        var (report, unreadable) = WebhookBody.ParseJson(body);
        if (unreadable is not null)
        {
            return (null, unreadable);
        }

        if (report.ValueKind != JsonValueKind.Object)
        {
            return (null, Invalid(new Dictionary<string, string[]> { [""] = ["must be a JSON object"] }));
        }

        var errors = new Dictionary<string, string[]>();
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

        return errors.Count > 0 ? (null, Invalid(errors)) : (new Report(messageId, providerMessageId, status!, error), null);
    }

    // 422, each field and why, as the API's own validation problems; nothing was written.
    private static IResult Invalid(Dictionary<string, string[]> errors) =>
        ApiJson.ValidationProblem(new FluentValidation.Results.ValidationResult(
            errors.SelectMany(e => e.Value.Select(why => new FluentValidation.Results.ValidationFailure(e.Key, why)))));
}
