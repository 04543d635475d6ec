using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using NodaTime.TimeZones;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Where a client's SMS may go (toll fraud: a spoofed caller from a premium or foreign number must not
/// make the business pay for a text). Checked when a message is planned, for every SMS to a customer:
/// a refused one is recorded <c>skipped</c> with the reason, visible like every other skip.
/// </summary>
public static class SmsDestinations
{
    /// <summary>
    /// The regions <paramref name="client"/> may text: its <see cref="ClientSettings.SmsCountries"/>, or
    /// else its own country: the region of its <c>sms_from</c>, or else of its time zone (NodaTime's zone.tab).
    /// Empty means no country could be told (a zone such as UTC and no <c>sms_from</c>): every country.
    /// </summary>
    public static IReadOnlyList<string> AllowedCountries(ClientSettings client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.SmsCountries is { } listed)
        {
            return listed;
        }

        var own = E164.RegionOf(client.SmsFrom) ?? CountryOf(client.TimeZone);
        return own is null ? [] : [own];
    }

    /// <summary>Why an SMS from <paramref name="client"/> to <paramref name="phone"/> (E.164) must not be sent, or null when it may.</summary>
    public static string? RefusalFor(ClientSettings client, string phone)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (E164.IsPremiumRate(phone))
        {
            return SkipReasons.PremiumRateNumber;
        }

        var allowed = AllowedCountries(client);
        return allowed.Count == 0 || (E164.RegionOf(phone) is { } region && allowed.Contains(region, StringComparer.Ordinal))
            ? null
            : SkipReasons.CountryNotAllowed;
    }

    // zone.tab: each canonical zone's country (America/New_York → US); an alias is looked up by its canonical id.
    private static readonly Dictionary<string, string> ZoneCountries = (TzdbDateTimeZoneSource.Default.ZoneLocations ?? [])
        .GroupBy(l => l.ZoneId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().CountryCode, StringComparer.Ordinal);

    private static string? CountryOf(string timeZone) =>
        ZoneCountries.GetValueOrDefault(TzdbDateTimeZoneSource.Default.CanonicalIdMap.TryGetValue(timeZone, out var canonical) ? canonical : timeZone);
}
