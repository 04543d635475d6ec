using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// <c>FollowUp:PublicBaseUrl</c>: the URL providers call back (Twilio status callbacks are requested at
/// it, and Twilio signs the URL it called, so verification needs it exactly). Unset, no status callback
/// is requested and webhooks verify against the URL the request arrived on.
/// </summary>
public sealed class PublicUrlOptions
{
    public const string Section = "FollowUp";

    public string? PublicBaseUrl { get; set; }

    /// <summary>The absolute URL for <paramref name="pathAndQuery"/>, on the public base when one is set.</summary>
    public string UrlFor(string pathAndQuery, string requestBase) =>
        (string.IsNullOrWhiteSpace(PublicBaseUrl) ? requestBase : PublicBaseUrl).TrimEnd('/') + pathAndQuery;

    /// <summary>The query parameter of a status callback that names our message.</summary>
    public const string MessageIdParameter = "message_id";

    /// <summary>
    /// Where Twilio should report message <paramref name="messageId"/>'s delivery status (the message id in
    /// the query, which Twilio's signature covers), or null when no public URL is configured.
    /// </summary>
    public Uri? TwilioStatusCallbackFor(long messageId) => string.IsNullOrWhiteSpace(PublicBaseUrl)
        ? null
        : new Uri(PublicBaseUrl.TrimEnd('/') + "/webhooks/twilio/status?" + MessageIdParameter + "="
            + messageId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal sealed class Validator : IValidateOptions<PublicUrlOptions>
    {
        public ValidateOptionsResult Validate(string? name, PublicUrlOptions options) =>
            options.PublicBaseUrl is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && string.IsNullOrEmpty(uri.Query))
                ? ValidateOptionsResult.Fail($"{Section}:PublicBaseUrl must be an absolute http(s) URL without a query (was '{url}').")
                : ValidateOptionsResult.Success;
    }
}
