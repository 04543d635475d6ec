using System.Globalization;
using NodaTime;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// A client's weekly opening hours and closed dates in its own zone. Local times that fall in a DST
/// gap or overlap resolve leniently (<see cref="NodaTime.TimeZones.Resolvers.LenientResolver"/>): an opening at 02:30 on
/// a spring-forward day is shifted forward by the gap (03:30), and in an overlap the earlier instant is used.
/// </summary>
public sealed class BusinessHours
{
    private readonly Dictionary<IsoDayOfWeek, (LocalTime Open, LocalTime? Close)> _week;
    private readonly HashSet<LocalDate> _closed;

    public BusinessHours(DateTimeZone zone, IReadOnlyDictionary<IsoDayOfWeek, (LocalTime Open, LocalTime? Close)> week, IEnumerable<LocalDate> closedDates)
    {
        Zone = zone;
        _week = week.ToDictionary(d => d.Key, d => d.Value);
        _closed = [.. closedDates];
    }

    public DateTimeZone Zone { get; }

    /// <summary>The client's hours: as the store parsed them when it read the client, else parsed now.</summary>
    public static BusinessHours Of(ClientSettings settings) => ClientHours.Of(settings).Business;

    /// <summary>From validated client settings ("HH:mm", "24:00" as the end of the day).</summary>
    public static BusinessHours From(ClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var zone = DateTimeZoneProviders.Tzdb[settings.TimeZone];
        var week = new Dictionary<IsoDayOfWeek, (LocalTime, LocalTime?)>();
        foreach (var (key, span) in settings.BusinessHours)
        {
            var day = (IsoDayOfWeek)(Array.IndexOf(ClientSettingsValidator.WeekdayKeys, key) + 1);
            var open = ClientSettingsValidator.ParseTime(span[0], allowEndOfDay: false)!.Value;
            var close = ClientSettingsValidator.ParseTime(span[1], allowEndOfDay: true)!.Value;
            week[day] = (LocalTime.FromMinutesSinceMidnight(open), close == 1440 ? null : LocalTime.FromMinutesSinceMidnight(close));
        }

        var closed = settings.ClosedDates.Select(d => LocalDate.FromDateOnly(DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)));
        return new BusinessHours(zone, week, closed);
    }

    /// <summary>True when <paramref name="instant"/> is inside an opening (open inclusive, close exclusive).</summary>
    public bool IsOpenAt(Instant instant) => Span(instant.InZone(Zone).Date) is { } span && span.Open <= instant && instant < span.Close;

    /// <summary>
    /// <paramref name="from"/> itself when open then, else the next opening instant; null when the
    /// client opens on no day in the coming year (no hours at all, or every such day closed).
    /// </summary>
    public Instant? NextOpeningAt(Instant from)
    {
        var date = from.InZone(Zone).Date;
        for (var i = 0; i <= 370; i++, date = date.PlusDays(1))
        {
            if (Span(date) is not { } span || from >= span.Close)
            {
                continue;
            }

            return from >= span.Open ? from : span.Open;
        }

        return null;
    }

    private (Instant Open, Instant Close)? Span(LocalDate date)
    {
        if (_closed.Contains(date) || !_week.TryGetValue(date.DayOfWeek, out var hours))
        {
            return null;
        }

        var open = (date + hours.Open).InZoneLeniently(Zone).ToInstant();
        var close = hours.Close is { } c
            ? (date + c).InZoneLeniently(Zone).ToInstant()
            : date.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant();
        return (open, close);
    }
}
