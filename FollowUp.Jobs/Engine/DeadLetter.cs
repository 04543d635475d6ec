using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// A row of the dead-letter table: a Hangfire job whose attempts ran out or failed permanently, and,
/// when the job sends a message, what a support person needs to decide about it (client, kind,
/// channel, recipient, body) as the message is now.
/// </summary>
public sealed record DeadLetter(
    long Id, long JobId, string JobType, string? JobMethod, string Args, long? MessageId, int Attempts, string? Reason,
    string? ExceptionType, string? ExceptionMessage, string? ExceptionStack, Instant DeadLetteredAt,
    string? Resolution, Instant? ResolvedAt, string? ResolvedBy, int Requeues,
    string? ClientId, string? Kind, string? Channel, string? Recipient, string? Body);
