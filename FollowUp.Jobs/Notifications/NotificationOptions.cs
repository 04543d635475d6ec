using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Notifications;

/// <summary><c>FollowUp:Notifications</c>: how business notifications are delivered.</summary>
public sealed class NotificationOptions
{
    public const string Section = "FollowUp:Notifications";

    /// <summary>How long a receiver has to answer one delivery before the attempt counts as failed.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Development only: lets notifications reach loopback addresses (a receiver on 127.0.0.1). Off, every
    /// non-public address — loopback, private, link-local, unique-local — is refused at connect time.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>The most of a receiver's response headers read, in KiB; the body is never read (only the status matters).</summary>
    internal const int MaxResponseHeadersKiB = 4;

    internal sealed class Validator : IValidateOptions<NotificationOptions>
    {
        public ValidateOptionsResult Validate(string? name, NotificationOptions options) =>
            options.TimeoutSeconds is < 1 or > 120
                ? ValidateOptionsResult.Fail($"{Section}:TimeoutSeconds must be from 1 to 120 (was {options.TimeoutSeconds}).")
                : ValidateOptionsResult.Success;
    }
}
