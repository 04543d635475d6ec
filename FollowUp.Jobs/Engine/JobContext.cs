using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>What a running attempt knows about itself.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="JobType">The registered job type name.</param>
/// <param name="Attempt">1 for the first attempt; a requeue starts again at 1.</param>
/// <param name="ScheduledFor">The instant the attempt was due.</param>
/// <param name="Node">The node running it.</param>
public sealed record JobContext(long JobId, string JobType, int Attempt, Instant ScheduledFor, string Node);
