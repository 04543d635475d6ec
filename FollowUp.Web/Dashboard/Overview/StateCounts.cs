using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>
/// Counts per job state ("job:Failed") and message status ("message:sent"), as of
/// <see cref="CountedAt"/> (null: not counted yet — the count runs every few seconds).
/// </summary>
internal sealed record StateCounts(IReadOnlyDictionary<string, long> Counts, Instant? CountedAt)
{
    public long Get(string subject, string state) => Counts.GetValueOrDefault($"{subject}:{state}");
}
