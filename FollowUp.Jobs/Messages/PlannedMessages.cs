using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Messages planned inside a transaction: their ids in input order, and the earliest run time of their
/// jobs, to announce once the transaction has committed (<see cref="Engine.IJobClient.AnnounceCommitted"/>);
/// <see cref="Instant.MaxValue"/> when no job was created.
/// </summary>
public sealed record PlannedMessages(IReadOnlyList<long> Ids, Instant EarliestRunAt);
