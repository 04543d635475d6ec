using FollowUp.Jobs;
using FollowUp.Jobs.Channels;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Dashboard.Alerts;

/// <summary>
/// Alert thresholds and operations contacts, from <c>FollowUp:Dashboard:Alerts</c>. A threshold of 0
/// turns that alert off. Contacts are phone numbers ("+" and the country code; SMS) or email addresses, sent from
/// <see cref="ClientId"/>'s sender settings through the normal pipeline.
/// </summary>
internal sealed class AlertOptions
{
    public const string Section = "FollowUp:Dashboard:Alerts";

    /// <summary>Dead letters within the window at or above which an alert is raised (0: off).</summary>
    public int DeadLetterThreshold { get; set; } = 10;

    /// <summary>Failovers away from one provider within the window at or above which an alert is raised (0: off).</summary>
    public int FailoverThreshold { get; set; } = 5;

    /// <summary>
    /// Call webhooks journaled as failed (whatever their age: each is a follow-up plan not made until it
    /// is replayed) at or above which an alert is raised (0: off).
    /// </summary>
    public int FailedWebhookThreshold { get; set; } = 3;

    public int WindowMinutes { get; set; } = 15;

    /// <summary>
    /// A client's undelivered rate — undelivered or failed ÷ sent with a final status, of its messages sent in the
    /// last <see cref="UndeliveredWindowMinutes"/> — at or above which an alert names it, in percent (0: off).
    /// </summary>
    public int UndeliveredRatePercent { get; set; } = 10;

    /// <summary>Messages with a final status a client needs in the window before its rate counts (so 1 of 1 is no alert).</summary>
    public int UndeliveredMinimum { get; set; } = 20;

    /// <summary>The undelivered rate's window: longer than <see cref="WindowMinutes"/>, since delivery reports come minutes after a send.</summary>
    public int UndeliveredWindowMinutes { get; set; } = 60;

    /// <summary>At most one message to the contacts per this many minutes, across the cluster.</summary>
    public int MinutesBetweenMessages { get; set; } = 30;

    public int CheckSeconds { get; set; } = 30;

    /// <summary>The client whose senders carry alert messages; required when there are contacts.</summary>
    public string? ClientId { get; set; }

    public List<string> Contacts { get; set; } = [];

    internal sealed class Validator : IValidateOptions<AlertOptions>
    {
        public ValidateOptionsResult Validate(string? name, AlertOptions options)
        {
            var errors = new List<string>();
            void Range(string key, int value, int min, int max) => OptionChecks.Range(errors, Section, key, value, min, max);

            Range(nameof(DeadLetterThreshold), options.DeadLetterThreshold, 0, 1_000_000);
            Range(nameof(FailoverThreshold), options.FailoverThreshold, 0, 1_000_000);
            Range(nameof(FailedWebhookThreshold), options.FailedWebhookThreshold, 0, 1_000_000);
            Range(nameof(WindowMinutes), options.WindowMinutes, 1, 1_440);
            Range(nameof(UndeliveredRatePercent), options.UndeliveredRatePercent, 0, 100);
            Range(nameof(UndeliveredMinimum), options.UndeliveredMinimum, 1, 1_000_000);
            Range(nameof(UndeliveredWindowMinutes), options.UndeliveredWindowMinutes, 1, 10_080);
            Range(nameof(MinutesBetweenMessages), options.MinutesBetweenMessages, 1, 10_080);
            Range(nameof(CheckSeconds), options.CheckSeconds, 1, 3_600);
            for (var i = 0; i < options.Contacts.Count; i++)
            {
                var contact = options.Contacts[i];
                if (!E164.IsValid(contact) && !Recipients.IsEmailAddress(contact))
                {
                    errors.Add(contact.TrimStart().StartsWith('+')
                        ? $"{Section}:Contacts:{i} {E164.ProblemWith(contact)} (was '{contact}')."
                        : $"{Section}:Contacts:{i} must be a phone number (+ and the country code) or an email address, not '{contact}'.");
                }
            }

            if (options.Contacts.Count > 0 && string.IsNullOrWhiteSpace(options.ClientId))
            {
                errors.Add($"{Section}:ClientId is required when {Section}:Contacts are set (the client whose senders carry alerts).");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
