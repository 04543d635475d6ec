using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>One-click unsubscribe links (RFC 8058) in marketing email, from <c>FollowUp:Unsubscribe</c>.</summary>
public sealed class UnsubscribeOptions
{
    public const string Section = "FollowUp:Unsubscribe";

    /// <summary>
    /// How long a link works after the email was sent. CAN-SPAM wants an opt-out to work for at least
    /// 30 days after sending, hence the floor; a recipient who finds an older email gets a page saying
    /// the link has expired.
    /// </summary>
    public int LinkLifetimeDays { get; set; } = 90;

    internal sealed class Validator : IValidateOptions<UnsubscribeOptions>
    {
        public ValidateOptionsResult Validate(string? name, UnsubscribeOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(LinkLifetimeDays), options.LinkLifetimeDays, 30, 3_650);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
