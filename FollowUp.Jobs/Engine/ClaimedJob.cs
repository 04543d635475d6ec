using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>A row claimed by this node: state Processing, attempt already counted.</summary>
internal sealed record ClaimedJob(long Id, string Type, string Args, int Attempt, Instant RunAt);
