using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// Twilio's settings, bound from <c>FollowUp:Twilio</c>. With no credentials the provider reports
/// itself unconfigured and the channel skips it (the sandbox provider takes over); credentials that
/// are only partly given stop start-up instead, since that is a mistake rather than a choice.
/// </summary>
public sealed partial class TwilioOptions
{
    public const string Section = "FollowUp:Twilio";

    /// <summary>The account SID (<c>AC…</c>), the user name of HTTP Basic auth.</summary>
    public string? AccountSid { get; set; }

    /// <summary>The auth token: the Basic auth password and the key of webhook signatures. Never logged.</summary>
    public string? AuthToken { get; set; }

    /// <summary>E.164 sender number, used when a request names no sender and no messaging service is set.</summary>
    public string? From { get; set; }

    /// <summary>Messaging service SID (<c>MG…</c>); when set it is sent instead of <see cref="From"/>.</summary>
    public string? MessagingServiceSid { get; set; }

    /// <summary>Twilio's API host; tests and staging point it at a fake.</summary>
    public string BaseUrl { get; set; } = "https://api.twilio.com";

    /// <summary>Most sends per second through this provider; 0 means unlimited.</summary>
    public int RateLimitPerSecond { get; set; }

    /// <summary>How long one send may take before it is abandoned as a transient failure.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>True when the account, its token and a sender (number or messaging service) are all set.</summary>
    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken)
        && (!string.IsNullOrWhiteSpace(From) || !string.IsNullOrWhiteSpace(MessagingServiceSid));

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex("^MG[0-9a-fA-F]{32}$")]
    private static partial Regex MessagingServiceSidPattern();

    /// <summary>Validates with messages that name the configuration key.</summary>
    internal sealed class Validator : IValidateOptions<TwilioOptions>
    {
        public ValidateOptionsResult Validate(string? name, TwilioOptions options)
        {
            var errors = new List<string>();
            if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUrl)
                || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{Section}:BaseUrl must be an absolute http(s) URL (was '{options.BaseUrl}').");
            }

            OptionChecks.Range(errors, Section, nameof(RateLimitPerSecond), options.RateLimitPerSecond, 0, 10_000);
            OptionChecks.Range(errors, Section, nameof(TimeoutSeconds), options.TimeoutSeconds, 1, 300);

            if (!string.IsNullOrWhiteSpace(options.AccountSid) && !AccountSidPattern().IsMatch(options.AccountSid))
            {
                // The value itself is not a secret, but echo only its shape: a pasted token here would be.
                errors.Add($"{Section}:AccountSid must be 'AC' followed by 32 hex digits.");
            }

            if (!string.IsNullOrWhiteSpace(options.From) && E164.ProblemWith(options.From) is { } problem)
            {
                errors.Add($"{Section}:From {problem} (was '{options.From}').");
            }

            if (!string.IsNullOrWhiteSpace(options.MessagingServiceSid) && !MessagingServiceSidPattern().IsMatch(options.MessagingServiceSid))
            {
                errors.Add($"{Section}:MessagingServiceSid must be 'MG' followed by 32 hex digits.");
            }

            CheckPartial(errors, options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        /// <summary>Nothing set means "not using Twilio"; something set means every required key must be.</summary>
        private static void CheckPartial(List<string> errors, TwilioOptions options)
        {
            var anySet = !string.IsNullOrWhiteSpace(options.AccountSid) || !string.IsNullOrWhiteSpace(options.AuthToken)
                || !string.IsNullOrWhiteSpace(options.From) || !string.IsNullOrWhiteSpace(options.MessagingServiceSid);
            if (!anySet)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(options.AccountSid))
            {
                errors.Add($"{Section}:AccountSid is required when other Twilio settings are given.");
            }

            if (string.IsNullOrWhiteSpace(options.AuthToken))
            {
                errors.Add($"{Section}:AuthToken is required when other Twilio settings are given.");
            }

            if (string.IsNullOrWhiteSpace(options.From) && string.IsNullOrWhiteSpace(options.MessagingServiceSid))
            {
                errors.Add($"{Section}:From or {Section}:MessagingServiceSid is required when other Twilio settings are given.");
            }
        }
    }
}
