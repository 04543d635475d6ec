using System.Text;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Web.Api;
using Twilio.Security;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// A request from Twilio, verified: a form post of at most <see cref="MaxBytes"/> whose
/// <c>X-Twilio-Signature</c> checks out (Twilio's <see cref="RequestValidator"/>) with the account's auth token over the public URL Twilio called
/// (<c>FollowUp:PublicBaseUrl</c> + path and query) and the form fields. Used by every Twilio webhook.
/// </summary>
internal static class TwilioRequest
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// The form and the raw body when the request verifies and every field is text (<see cref="WireText"/>);
    /// else a 401 (or 413, or 400 naming each field that is not text) problem, and nothing was read further.
    /// </summary>
    public static async Task<(Dictionary<string, string>? Form, string Raw, IResult? Problem)> VerifyAsync(
        HttpRequest request, TwilioOptions twilio, PublicUrlOptions publicUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(twilio.AuthToken))
        {
            return (null, "", WebhookProblems.NotConfigured("Twilio not configured",
                "Set FollowUp:Twilio:AuthToken so Twilio's signatures can be verified."));
        }

        if (!request.HasFormContentType)
        {
            return (null, "", WebhookProblems.InvalidSignature("Expected a signed form post."));
        }

        var body = await WebhookBody.ReadAsync(request, MaxBytes, cancellationToken);
        if (body is null)
        {
            return (null, "", WebhookProblems.TooLarge($"At most {MaxBytes} bytes."));
        }

        var raw = Encoding.UTF8.GetString(body);
        var form = TwilioForm.Parse(raw);
        var url = publicUrl.UrlFor(request.Path + request.QueryString, $"{request.Scheme}://{request.Host}");
        // Twilio's own validator (HMAC-SHA1 over the URL and the sorted form fields; it also tries the URL
        // with and without a default port, as Twilio may sign either).
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        if (signature.Length == 0 || !new RequestValidator(twilio.AuthToken).Validate(url, form, signature))
        {
            return (null, "", WebhookProblems.InvalidSignature("X-Twilio-Signature does not verify."));
        }

        // %00 decodes to a NUL, which no text column takes.
        return WireText.FindInForm(form) is { Count: > 0 } unusable ? (null, "", WireText.Problem(unusable)) : (form, raw, null);
    }
}
