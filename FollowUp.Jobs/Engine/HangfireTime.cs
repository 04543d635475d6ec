using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Instants as Hangfire's schedule keeps them. Hangfire stores a delayed job's due time in whole Unix
/// seconds, dropping the fraction, and enqueues it once that second has begun: a job due at 12:00:00.9
/// may start at 12:00:00.0, 0.9 s early. Rounding the due instant up to the next whole second first
/// makes "not before" hold: a retry starts at least its delay after the failure, a deferred job never
/// before the opening it waits for.
/// </summary>
internal static class HangfireTime
{
    /// <summary><paramref name="instant"/> rounded up to a whole second (unchanged when it is one), as a UTC <see cref="DateTime"/>.</summary>
    public static DateTime NotBefore(Instant instant)
    {
        var ticksPerSecond = NodaConstants.TicksPerSecond;
        var ticks = instant.ToUnixTimeTicks();
        var remainder = ticks % ticksPerSecond;
        // Ticks before 1970 are negative and their remainder too: adding it back moves up, as for positive ones.
        var rounded = remainder == 0 ? ticks : ticks - remainder + (remainder > 0 ? ticksPerSecond : 0);
        return Instant.FromUnixTimeTicks(rounded).ToDateTimeUtc();
    }
}
