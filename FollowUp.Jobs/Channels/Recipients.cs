using System.Net.Mail;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// What counts as a valid email recipient (or sender) address, for every place that checks one. Phone
/// numbers are <see cref="E164"/>'s.
/// </summary>
public static class Recipients
{
    /// <summary>A bare email address (no display name), exactly as written.</summary>
    public static bool IsEmailAddress(string? value) =>
        value is not null && MailAddress.TryCreate(value, out var address) && address.Address == value;

    /// <summary>An address with an optional display name, as a sender is written: "Acme &lt;hello@acme.example&gt;".</summary>
    public static bool IsMailbox(string? value) => value is not null && MailAddress.TryCreate(value, out _);
}
