using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation.Results;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Contracts;
using FollowUp.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using NodaTime;
using FollowUp.Jobs.Signing;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Call outcomes from telephony: our own signed contract, and adapters for Retell AI and Twilio Voice.
/// Order of checks: size (413), JSON and its text (400: <see cref="WireText"/>), client (404), signature (401),
/// fields (422); only then is the raw body journaled and processed, so a refused request writes nothing.
/// The platform adapters check their signature first, then the same text rule, then their own shape (400).
/// </summary>
[ApiController]
[RawFormBody]
[Route("webhooks")]
[Tags("Webhooks")]
[EnableRateLimiting(WebhookLimitServiceCollectionExtensions.CallPolicy)]
internal sealed partial class CallWebhooksController(ClientStore clients, CallIntake intake, IClock clock,
    IOptions<TwilioOptions> twilio, IOptions<PublicUrlOptions> publicUrl) : ControllerBase
{
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly CallEventValidator Validator = new();

    // POST /webhooks/calls                      202 planned; 200 duplicate event (same body); 400 bad JSON; 401 signature;
    //                                           404 unknown client; 409 event id reused; 413 > 64 KiB; 422 fields; 500 journaled, replayable;
    //                                           503 + Retry-After beyond FollowUp:Webhooks limits (nothing recorded)
    // POST /webhooks/retell/{client_id}         Retell AI call_analyzed (x-retell-signature); 204 for events that plan nothing
    // POST /webhooks/twilio/voice/{client_id}   Twilio Voice status callback (X-Twilio-Signature); 204 unless a missed call

    /// <summary>A call's outcome: plans its follow-up messages.</summary>
    [HttpPost("calls")]
    // The body is read raw (the signature is over its bytes), so it is described, not bound.
    [Consumes(typeof(CallEvent), "application/json")]
    [EndpointSummary("A call's outcome: plans its follow-up messages")]
    [EndpointDescription("Signed with X-FollowUp-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret, \"{t}.{raw body}\")>, at most 300 s old.")]
    [ProducesResponseType<IntakeAnswer>(StatusCodes.Status202Accepted, "application/json")]
    [ProducesResponseType<IntakeAnswer>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public Task<IResult> ReceiveCall(CancellationToken cancellationToken) => ReceiveCallAsync(Request, clients, intake, clock, cancellationToken);

    /// <summary>Retell AI's <c>call_analyzed</c> event for a client.</summary>
    [HttpPost("retell/{clientId}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public Task<IResult> ReceiveRetell(string clientId, CancellationToken cancellationToken) =>
        ReceiveRetellAsync(clientId, Request, clients, intake, clock, cancellationToken);

    /// <summary>Twilio Voice's status callback for a client's number.</summary>
    [HttpPost("twilio/voice/{clientId}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public Task<IResult> ReceiveTwilioVoice(string clientId, CancellationToken cancellationToken) =>
        ReceiveTwilioVoiceAsync(clientId, Request, clients, intake, twilio, publicUrl, clock, cancellationToken);

    private static async Task<IResult> ReceiveCallAsync(HttpRequest request, ClientStore clients, CallIntake intake, IClock clock,
        CancellationToken cancellationToken)
    {
        var body = await WebhookBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return WebhookProblems.TooLarge($"A call webhook is at most {MaxBodyBytes} bytes.");
        }

        if (WireText.FindInJson(body) is { Count: > 0 } unusable)
        {
            return WireText.Problem(unusable);
        }

        CallEvent? call;
        try
        {
            call = JsonSerializer.Deserialize<CallEvent>(body, ApiJson.Options);
        }
        catch (JsonException ex)
        {
            return ApiJson.MalformedJson(ex);
        }

        if (call is null)
        {
            return WebhookProblems.MalformedJson("The body is empty or null.");
        }

        // The client names the secret; without a usable client id nothing can be verified.
        if (string.IsNullOrEmpty(call.ClientId) || !ClientIdPattern().IsMatch(call.ClientId))
        {
            return ApiJson.ValidationProblem(new ValidationResult([new ValidationFailure("client_id",
                "is required: 1-63 lower-case letters, digits and hyphens")]));
        }

        if (await clients.FindWithSecretAsync(call.ClientId, cancellationToken) is not var (client, secret))
        {
            return WebhookProblems.UnknownClient(call.ClientId);
        }

        var check = CallSignature.Verify(secret, request.Headers[CallSignature.Header], body, clock.GetCurrentInstant());
        if (check != SignatureCheck.Valid)
        {
            return WebhookProblems.InvalidSignature(CallSignature.Header, check);
        }

        return await AcceptAsync(CallSource.FollowUp, call, Encoding.UTF8.GetString(body), client, intake);
    }

    private static async Task<IResult> ReceiveRetellAsync(string clientId, HttpRequest request, ClientStore clients, CallIntake intake,
        IClock clock, CancellationToken cancellationToken)
    {
        var body = await WebhookBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return WebhookProblems.TooLarge($"A call webhook is at most {MaxBodyBytes} bytes.");
        }

        if (await clients.FindWithSecretAsync(clientId, cancellationToken) is not var (client, secret))
        {
            return WebhookProblems.UnknownClient(clientId);
        }

        var check = RetellCallEvents.Verify(secret, request.Headers[RetellCallEvents.Header], body, clock.GetCurrentInstant());
        if (check != SignatureCheck.Valid)
        {
            return WebhookProblems.InvalidSignature(RetellCallEvents.Header, check);
        }

        if (WireText.FindInJson(body) is { Count: > 0 } unusable)
        {
            return WireText.Problem(unusable);
        }

        var raw = Encoding.UTF8.GetString(body);
        CallEvent? call;
        try
        {
            call = RetellCallEvents.Map(clientId, raw);
        }
        catch (JsonException ex)
        {
            return ApiJson.MalformedJson(ex);
        }

        return call is null ? TypedResults.NoContent() : await AcceptAsync(CallSource.Retell, call, raw, client, intake);
    }

    private static async Task<IResult> ReceiveTwilioVoiceAsync(string clientId, HttpRequest request, ClientStore clients, CallIntake intake,
        IOptions<TwilioOptions> twilio, IOptions<PublicUrlOptions> publicUrl, IClock clock, CancellationToken cancellationToken)
    {
        // Signed with the Twilio account's token, not a client's secret: verify first, then find the client.
        var (form, raw, problem) = await TwilioRequest.VerifyAsync(request, twilio.Value, publicUrl.Value, cancellationToken);
        if (form is null)
        {
            return problem!;
        }

        if (await clients.FindWithSecretAsync(clientId, cancellationToken) is not var (client, _))
        {
            return WebhookProblems.UnknownClient(clientId);
        }

        var call = TwilioVoiceCallEvents.Map(clientId, form, clock.GetCurrentInstant());
        return call is null ? TypedResults.NoContent() : await AcceptAsync(CallSource.TwilioVoice, call, raw, client, intake);
    }

    private static async Task<IResult> AcceptAsync(string source, CallEvent call, string raw, ClientSettings client, CallIntake intake)
    {
        var validation = await Validator.ValidateAsync(call, CancellationToken.None);
        if (!validation.IsValid)
        {
            return ApiJson.ValidationProblem(validation);
        }

        // Not the request's token: once journaled, processing finishes even if the caller hangs up.
        var result = await intake.AcceptAsync(source, call, raw, client, CancellationToken.None);
        return result.Status switch
        {
            IntakeStatus.Accepted => Answer(StatusCodes.Status202Accepted, result.AnswerJson!),
            IntakeStatus.Duplicate => Answer(StatusCodes.Status200OK, result.AnswerJson!),
            IntakeStatus.Conflict => TypedResults.Problem(statusCode: 409, title: "Event id reused", detail: result.Error),
            _ => TypedResults.Problem(statusCode: 500, title: "Processing failed",
                detail: $"The call was journaled as webhook {result.WebhookId} and can be replayed; nothing was planned. Retrying the same event replays it."),
        };
    }

    private static ContentHttpResult Answer(int status, string json) => TypedResults.Text(json, "application/json", Encoding.UTF8, status);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ClientIdPattern();
}
