using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// The SMTP provider's settings, bound from <c>FollowUp:Smtp</c>. Mail goes through
/// <see cref="System.Net.Mail.SmtpClient"/>, which speaks STARTTLS (<see cref="EnableSsl"/> on a submission
/// port such as 587) but cannot do implicit TLS: a server that only listens with TLS from the first byte
/// (port 465, "SMTPS") is not reachable, and the validator refuses port 465 with TLS on for that reason.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "FollowUp:Smtp";

    /// <summary>The server's host name; with <see cref="From"/> it makes the provider configured.</summary>
    public string? Host { get; set; }

    /// <summary>The server's port: 587 (submission with STARTTLS) unless told otherwise.</summary>
    public int Port { get; set; } = 587;

    /// <summary>User name for AUTH, or null to send without authenticating (a local relay).</summary>
    public string? User { get; set; }

    /// <summary>Password for AUTH. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Default sender, "Name &lt;address&gt;" or a bare address, used when a request names none.</summary>
    public string? From { get; set; }

    /// <summary>STARTTLS after EHLO (true by default); false only for a trusted local relay.</summary>
    public bool EnableSsl { get; set; } = true;

    /// <summary>Longest a whole send (connect to final reply) may take before it counts as a transient failure.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Most sends per second through this provider; 0 means no limit of our own.</summary>
    public int RateLimitPerSecond { get; set; }

    /// <summary>True when <see cref="Host"/> and <see cref="From"/> are set; otherwise the provider is skipped.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host) && !string.IsNullOrWhiteSpace(From);

    /// <summary>Validates with messages that name the configuration key.</summary>
    internal sealed class Validator : IValidateOptions<SmtpOptions>
    {
        public ValidateOptionsResult Validate(string? name, SmtpOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(Port), options.Port, 1, 65_535);
            if (options.Port == 465 && options.EnableSsl)
            {
                errors.Add($"{Section}:Port 465 expects implicit TLS, which System.Net.Mail cannot do; use port 587 (STARTTLS).");
            }

            OptionChecks.Range(errors, Section, nameof(TimeoutSeconds), options.TimeoutSeconds, 1, 300);
            OptionChecks.Range(errors, Section, nameof(RateLimitPerSecond), options.RateLimitPerSecond, 0, 10_000);

            if (!string.IsNullOrWhiteSpace(options.Host) && string.IsNullOrWhiteSpace(options.From))
            {
                errors.Add($"{Section}:From is required when {Section}:Host is set.");
            }

            if (!string.IsNullOrWhiteSpace(options.From) && !MailAddress.TryCreate(options.From, out _))
            {
                errors.Add($"{Section}:From is not a valid address (was \"{options.From}\").");
            }

            if (!string.IsNullOrEmpty(options.User) && string.IsNullOrEmpty(options.Password))
            {
                errors.Add($"{Section}:Password is required when {Section}:User is set.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
