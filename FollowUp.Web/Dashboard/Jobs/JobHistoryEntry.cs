using NodaTime;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>A row of <c>job_history</c>: one transition, with its exception when one was thrown.</summary>
internal sealed record JobHistoryEntry(
    long Id, string State, string? FromState, Instant At, string? Node, int Attempt, string? Reason,
    string? ExceptionType, string? ExceptionMessage, string? ExceptionStack);
