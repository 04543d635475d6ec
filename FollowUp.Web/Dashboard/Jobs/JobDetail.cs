using NodaTime;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>A job as its detail page shows it.</summary>
internal sealed record JobDetail(
    long Id, string Type, string Args, string State, int Attempt, Instant RunAt, Instant CreatedAt, Instant StateChangedAt,
    string? Node, Instant? LeaseUntil, string? RecurringId, string? LastError);
