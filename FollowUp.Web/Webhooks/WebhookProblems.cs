using FollowUp.Jobs.Signing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// The problem documents every webhook answers with (RFC 7807), one wording per refusal, so the call,
/// Twilio and SendGrid webhooks say the same thing the same way.
/// </summary>
internal static class WebhookProblems
{
    /// <summary>413: the body is over the webhook's cap (nothing was read further).</summary>
    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: detail);

    /// <summary>400: the body is not JSON (the parser's own message says where).</summary>
    public static ProblemHttpResult MalformedJson(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON", detail: detail);

    /// <summary>404: no client has this id.</summary>
    public static ProblemHttpResult UnknownClient(string clientId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown client", detail: $"No client '{clientId}'.");

    /// <summary>401: the signature is missing, malformed or does not verify.</summary>
    public static ProblemHttpResult InvalidSignature(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid signature", detail: detail);

    /// <summary>401 for a timestamped signature (<see cref="TimestampedSignature"/>), saying which check failed.</summary>
    public static ProblemHttpResult InvalidSignature(string header, SignatureCheck check) => InvalidSignature(check switch
    {
        SignatureCheck.Missing => $"The {header} header is missing.",
        SignatureCheck.Malformed => $"The {header} header is not in the documented form.",
        SignatureCheck.Expired => $"The {header} timestamp is more than {CallSignature.Tolerance.TotalSeconds:0} seconds from now.",
        _ => $"The {header} signature does not match the body.",
    });

    /// <summary>401: this node cannot verify the sender, because the setting that would let it is absent.</summary>
    public static ProblemHttpResult NotConfigured(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: title, detail: detail);
}
