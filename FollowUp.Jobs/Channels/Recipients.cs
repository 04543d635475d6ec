using System.Net.Mail;
using System.Text.RegularExpressions;

namespace FollowUp.Jobs.Channels;

/// <summary>What counts as a valid recipient (or sender) address, for every place that checks one.</summary>
public static partial class Recipients
{
    /// <summary>An E.164 number: "+", a non-zero digit, 7 to 15 digits in all, no spaces.</summary>
    public static bool IsE164(string? value) => value is not null && E164Pattern().IsMatch(value);

    /// <summary>A bare email address (no display name), exactly as written.</summary>
    public static bool IsEmailAddress(string? value) =>
        value is not null && MailAddress.TryCreate(value, out var address) && address.Address == value;

    /// <summary>An address with an optional display name, as a sender is written: "Acme &lt;hello@acme.example&gt;".</summary>
    public static bool IsMailbox(string? value) => value is not null && MailAddress.TryCreate(value, out _);

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164Pattern();
}
