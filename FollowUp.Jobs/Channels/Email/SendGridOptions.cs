using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>The SendGrid provider's settings, bound from <c>FollowUp:SendGrid</c>.</summary>
public sealed class SendGridOptions
{
    public const string Section = "FollowUp:SendGrid";

    /// <summary>API key with the Mail Send permission. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Default sender (a verified Sender Identity), "Name &lt;address&gt;" or a bare address.</summary>
    public string? From { get; set; }

    /// <summary>API host; tests and staging point it at a local fake.</summary>
    public string BaseUrl { get; set; } = "https://api.sendgrid.com";

    /// <summary>Most sends per second through this provider; 0 means no limit of our own.</summary>
    public int RateLimitPerSecond { get; set; }

    /// <summary>Longest one API call may take; past it the send is a transient failure that may have been sent.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// The signed event webhook's verification key: base64 of the DER SubjectPublicKeyInfo of an ECDSA P-256
    /// key, as SendGrid shows it. Null when event signatures are not checked.
    /// </summary>
    public string? WebhookPublicKey { get; set; }

    /// <summary>True when <see cref="ApiKey"/> and <see cref="From"/> are set; otherwise the provider is skipped.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(From);

    /// <summary>Validates with messages that name the configuration key.</summary>
    internal sealed class Validator : IValidateOptions<SendGridOptions>
    {
        public ValidateOptionsResult Validate(string? name, SendGridOptions options)
        {
            var errors = new List<string>();
            if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUrl)
                || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"{Section}:BaseUrl must be an absolute http(s) URL (was \"{options.BaseUrl}\").");
            }

            OptionChecks.Range(errors, Section, nameof(TimeoutSeconds), options.TimeoutSeconds, 1, 300);
            OptionChecks.Range(errors, Section, nameof(RateLimitPerSecond), options.RateLimitPerSecond, 0, 10_000);

            if (!string.IsNullOrWhiteSpace(options.ApiKey) && string.IsNullOrWhiteSpace(options.From))
            {
                errors.Add($"{Section}:From is required when {Section}:ApiKey is set.");
            }

            if (!string.IsNullOrWhiteSpace(options.From) && !MailAddress.TryCreate(options.From, out _))
            {
                errors.Add($"{Section}:From is not a valid address (was \"{options.From}\").");
            }

            if (!string.IsNullOrWhiteSpace(options.WebhookPublicKey))
            {
                try
                {
                    SendGridEventWebhook.ParseKey(options.WebhookPublicKey);
                }
                catch (FormatException ex)
                {
                    errors.Add($"{Section}:WebhookPublicKey is not a base64 ECDSA P-256 public key: {ex.Message}");
                }
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
