using NodaTime;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>A jobs list row: the job and, for a send job, its message's recipient, client, call and kind.</summary>
internal sealed record JobRow(
    long Id, string Type, string State, int Attempt, Instant RunAt, Instant CreatedAt, Instant StateChangedAt, string? LastError,
    long? MessageId, string? ClientId, string? Recipient, string? CallId, string? Kind);
