using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// When one recipient may get marketing messages (nurture, the missed-call text-back): a daily window
/// such as 08:00–21:00 (the client's <see cref="ClientSettings.RecipientHours"/>) in the recipient's own
/// local time, on top of the business's hours. The zones come from the phone number
/// (<see cref="E164.TimeZonesOf"/>); a number that maps to several zones gets messages only while the
/// window is open in all of them.
/// </summary>
/// <remarks>
/// <para>Fallbacks: a number the zone map does not know (or no number, for an email) uses the client's zone.
/// A number whose zones are so far apart that the window is never open in all of them at once is treated
/// the same way. (A toll-free +1 800 number maps to every zone from Pago Pago to Guam; 08:00–21:00 is
/// open in all of them only from 22:00Z to 00:30Z in winter, so that is when it gets marketing; with a
/// window of 09:00–12:00 they never meet, and the client's zone decides.)</para>
/// <para>DST: the window's ends are local times resolved leniently, as business hours are: one that falls
/// in a spring-forward gap is shifted forward by the gap (02:30 → 03:30), and in a fall-back overlap the
/// earlier instant is used.</para>
/// </remarks>
public sealed class RecipientHours
{
    /// <summary>The window when a client sets none: 08:00 to 21:00 in the recipient's local time.</summary>
    public static readonly IReadOnlyList<string> Default = ["08:00", "21:00"];

    // Far enough to find the next common opening of any zones that have one (the window is daily).
    private static readonly Duration SearchHorizon = Duration.FromDays(8);

    private readonly LocalTime _start;
    private readonly LocalTime? _end;
    private readonly DateTimeZone _fallback;

    /// <param name="start">Opening local time.</param>
    /// <param name="end">Closing local time (exclusive), or null for the end of the day.</param>
    /// <param name="zones">The recipient's zones; empty for "unknown".</param>
    /// <param name="fallback">The zone used when <paramref name="zones"/> is empty or has no common window (the client's).</param>
    public RecipientHours(LocalTime start, LocalTime? end, IReadOnlyList<DateTimeZone> zones, DateTimeZone fallback)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(fallback);
        if (end is { } e && e <= start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "The window must end after it starts.");
        }

        _start = start;
        _end = end;
        _fallback = fallback;
        Zones = zones.Count == 0 ? [fallback] : zones;
    }

    /// <summary>The zones the window is checked in: the number's, or the client's when the number's are unknown.</summary>
    public IReadOnlyList<DateTimeZone> Zones { get; }

    /// <summary>
    /// The client's window (as the store parsed it when it read the client, else parsed now) for the
    /// recipient's number (null for none: the client's zone).
    /// </summary>
    public static RecipientHours For(ClientSettings client, string? phone) => ClientHours.Of(client).ForRecipient(phone);

    /// <summary>True when the window is open at <paramref name="instant"/> in every zone (start inclusive, end exclusive).</summary>
    public bool IsOpenAt(Instant instant) => NextOpeningAt(instant) == instant;

    /// <summary>
    /// <paramref name="from"/> itself when the window is open then in every zone, else the first instant
    /// after it when it is.
    /// </summary>
    public Instant NextOpeningAt(Instant from) =>
        CommonOpeningAt(from, Zones) ?? CommonOpeningAt(from, [_fallback])
        ?? throw new InvalidOperationException("A daily window of positive length opens within a week in one zone.");

    // Each zone's next opening at or after t; when they differ, try again from the latest of them. t only
    // moves forward, onto an opening of some zone, so this ends: at a common instant, or past the horizon.
    private Instant? CommonOpeningAt(Instant from, IReadOnlyList<DateTimeZone> zones)
    {
        var limit = from + SearchHorizon;
        for (var t = from; t <= limit;)
        {
            var latest = t;
            foreach (var zone in zones)
            {
                var next = NextOpeningIn(zone, t);
                latest = next > latest ? next : latest;
            }

            if (latest == t)
            {
                return t;
            }

            t = latest;
        }

        return null;
    }

    private Instant NextOpeningIn(DateTimeZone zone, Instant from)
    {
        // From the day before: a window's local day need not be the instant's (DST, windows ending at 24:00).
        var date = from.InZone(zone).Date.PlusDays(-1);
        for (var i = 0; i < 4; i++, date = date.PlusDays(1))
        {
            var open = (date + _start).InZoneLeniently(zone).ToInstant();
            var close = _end is { } end
                ? (date + end).InZoneLeniently(zone).ToInstant()
                : date.PlusDays(1).AtStartOfDayInZone(zone).ToInstant();
            if (from < close)
            {
                return from >= open ? from : open;
            }
        }

        throw new InvalidOperationException($"No opening of {_start}–{_end} in {zone.Id} after {from}.");
    }
}
