using NodaTime;
using NodaTime.Text;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Reads the webhook's timestamps: ISO 8601 with a required offset ("Z" or "±hh:mm"), fractional
/// seconds allowed. A time without an offset is ambiguous across zones and is refused, and so is one
/// outside <see cref="Earliest"/> … <see cref="Latest"/>: a plan counts days from these times in the client's
/// zone, and year 1 or 9999 would take that arithmetic past what the calendar and the job engine hold.
/// </summary>
public static class CallTimes
{
    private static readonly OffsetDateTimePattern Pattern = OffsetDateTimePattern.ExtendedIso;

    /// <summary>The earliest time taken: 1970-01-01T00:00:00Z.</summary>
    public static readonly Instant Earliest = Instant.FromUtc(1970, 1, 1, 0, 0);

    /// <summary>The latest time taken, exclusive: 9000-01-01T00:00:00Z.</summary>
    public static readonly Instant Latest = Instant.FromUtc(9000, 1, 1, 0, 0);

    /// <summary>How a refused time is described to the sender.</summary>
    public const string Expected = "an ISO 8601 time with an offset, from 1970 to 8999";

    public static bool TryParse(string? value, out Instant instant)
    {
        instant = default;
        if (value is null)
        {
            return false;
        }

        var result = Pattern.Parse(value);
        if (!result.Success)
        {
            return false;
        }

        instant = result.Value.ToInstant();
        return instant >= Earliest && instant < Latest;
    }

    /// <summary>For values already validated.</summary>
    public static Instant Parse(string value) =>
        TryParse(value, out var instant) ? instant : throw new FormatException($"'{value}' is not an ISO 8601 time with an offset.");
}
