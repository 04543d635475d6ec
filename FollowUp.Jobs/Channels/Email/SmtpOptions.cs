using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// The SMTP provider's settings, bound from <c>FollowUp:Smtp</c>. Mail goes through MailKit, which speaks
/// STARTTLS and implicit TLS (<see cref="Security"/>). <see cref="EnableSsl"/>, the older switch, still
/// works when <see cref="Security"/> is not given: true is STARTTLS (implicit TLS on port 465), false none.
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

    /// <summary>How the connection is secured; when absent, <see cref="EnableSsl"/> decides.</summary>
    public SmtpSecurity? Security { get; set; }

    /// <summary>
    /// The older switch, kept so existing configuration works: true (or absent) is STARTTLS, or implicit
    /// TLS on port 465; false is no TLS (a trusted local relay). <see cref="Security"/> wins when both are set.
    /// </summary>
    public bool? EnableSsl { get; set; }

    /// <summary>
    /// Connected clients kept for reuse (at most this many sends at once through SMTP on this node);
    /// 0 opens and closes a connection per message.
    /// </summary>
    public int PoolSize { get; set; } = 4;

    /// <summary>
    /// Longest a send waits for one of the <see cref="PoolSize"/> connections before it gives up as a
    /// transient failure that sent nothing (so it may fail over or retry), instead of holding a worker.
    /// </summary>
    public int PoolWaitSeconds { get; set; } = 30;

    /// <summary>What the connection actually uses, from <see cref="Security"/>, else <see cref="EnableSsl"/> and the port.</summary>
    public SmtpSecurity EffectiveSecurity => Security ?? (EnableSsl ?? true
        ? Port == 465 ? SmtpSecurity.SslOnConnect : SmtpSecurity.StartTls
        : SmtpSecurity.None);

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
            if (options.Port == 465 && options.EffectiveSecurity == SmtpSecurity.StartTls)
            {
                errors.Add($"{Section}:Port 465 expects implicit TLS: set {Section}:Security to SslOnConnect (or use port 587 with StartTls).");
            }

            OptionChecks.Range(errors, Section, nameof(PoolSize), options.PoolSize, 0, 64);
            OptionChecks.Range(errors, Section, nameof(PoolWaitSeconds), options.PoolWaitSeconds, 1, 600);

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

            // AUTH over a connection that may be plain text hands the password to anyone on the path:
            // None never encrypts, and Auto (MailKit's SecureSocketOptions.Auto) goes on in plain text
            // when the server does not offer STARTTLS, which an attacker in the middle can strip (on port 465
            // Auto is implicit TLS, which is safe).
            if (!string.IsNullOrEmpty(options.User) && (options.EffectiveSecurity == SmtpSecurity.None || (options.EffectiveSecurity == SmtpSecurity.Auto && options.Port != 465)))
            {
                errors.Add(options.Security is null
                    ? $"{Section}:User is set but {Section}:EnableSsl is false: the password would cross the network in clear text. Set {Section}:Security to StartTls or SslOnConnect."
                    : $"{Section}:User is set but {Section}:Security is {options.EffectiveSecurity}, which may send the password in clear text. Use StartTls or SslOnConnect.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
