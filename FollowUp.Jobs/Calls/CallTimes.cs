using NodaTime;
using NodaTime.Text;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Reads the webhook's timestamps: ISO 8601 with a required offset ("Z" or "±hh:mm"), fractional
/// seconds allowed. A time without an offset is ambiguous across zones and is refused.
/// </summary>
public static class CallTimes
{
    private static readonly OffsetDateTimePattern Pattern = OffsetDateTimePattern.ExtendedIso;

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
        return true;
    }

    /// <summary>For values already validated.</summary>
    public static Instant Parse(string value) =>
        TryParse(value, out var instant) ? instant : throw new FormatException($"'{value}' is not an ISO 8601 time with an offset.");
}
