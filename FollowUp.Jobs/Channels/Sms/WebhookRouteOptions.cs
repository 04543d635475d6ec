using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// <c>FollowUp:Sms:Webhook</c>: the webhook route, an SMS provider that hands each SMS to the business's own
/// automation (n8n, GoHighLevel, Zapier) as a signed POST. Unset <see cref="Url"/>: the route is off.
/// Validated at start-up, naming the key.
/// </summary>
public sealed class WebhookRouteOptions
{
    public const string Section = "FollowUp:Sms:Webhook";

    /// <summary>The route's provider name (in provider orders, receipts and the message's <c>provider</c>).</summary>
    public const string ProviderName = "webhook";

    /// <summary>Where each SMS is POSTed: https, or http to a loopback address (local development).</summary>
    public string? Url { get; set; }

    /// <summary>The shared secret of the <c>X-FollowUp-Signature</c> on our POSTs and on the receiver's delivery reports (≥ 16 characters).</summary>
    public string? Secret { get; set; }

    /// <summary>How long a POST may take before it counts as a timeout (which may have been sent).</summary>
    public int TimeoutSeconds { get; set; } = 10;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    internal sealed class Validator : IValidateOptions<WebhookRouteOptions>
    {
        public ValidateOptionsResult Validate(string? name, WebhookRouteOptions options)
        {
            if (!options.IsConfigured)
            {
                return ValidateOptionsResult.Success;
            }

            var errors = new List<string>();
            if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url)
                || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            {
                errors.Add($"{Section}:Url must be an absolute https URL (http only to a loopback address) (was '{options.Url}').");
            }

            if (string.IsNullOrEmpty(options.Secret) || options.Secret.Length < 16)
            {
                errors.Add($"{Section}:Secret is required with {Section}:Url, at least 16 characters: it signs every SMS and every delivery report.");
            }

            if (options.TimeoutSeconds is < 1 or > 120)
            {
                errors.Add($"{Section}:TimeoutSeconds must be 1–120 (was {options.TimeoutSeconds}).");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
