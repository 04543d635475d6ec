using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// A client's hours, parsed from its settings' strings once: its <see cref="Business"/> hours and closed
/// dates, and the daily window in which a recipient may get marketing (<see cref="ForRecipient"/>). The
/// store parses them when it reads the client (<see cref="ClientSettings.ParsedHours"/>); a plan and each
/// send attempt use that, never the strings.
/// </summary>
public sealed class ClientHours
{
    private readonly LocalTime _recipientStart;
    private readonly LocalTime? _recipientEnd;

    private ClientHours(BusinessHours business, LocalTime recipientStart, LocalTime? recipientEnd) =>
        (Business, _recipientStart, _recipientEnd) = (business, recipientStart, recipientEnd);

    /// <summary>The weekly opening hours and closed dates in the client's zone.</summary>
    public BusinessHours Business { get; }

    /// <summary>The client's parsed hours: those the store parsed when it read the client, else parsed now.</summary>
    public static ClientHours Of(ClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.ParsedHours ?? From(settings);
    }

    /// <summary>From validated client settings ("HH:mm", "24:00" as the end of the day).</summary>
    public static ClientHours From(ClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var start = ClientSettingsValidator.ParseTime(settings.RecipientHours[0], allowEndOfDay: false)!.Value;
        var end = ClientSettingsValidator.ParseTime(settings.RecipientHours[1], allowEndOfDay: true)!.Value;
        return new ClientHours(BusinessHours.From(settings), LocalTime.FromMinutesSinceMidnight(start),
            end == 1440 ? null : LocalTime.FromMinutesSinceMidnight(end));
    }

    /// <summary>
    /// The marketing window for the recipient <paramref name="phone"/> (null for none, as for an email:
    /// the client's zone), in the zones of the number.
    /// </summary>
    public RecipientHours ForRecipient(string? phone) =>
        new(_recipientStart, _recipientEnd, E164.TimeZonesOf(phone), Business.Zone);
}
