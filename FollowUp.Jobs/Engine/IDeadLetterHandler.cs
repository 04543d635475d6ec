using Hangfire.Common;
using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The domain side of one job type's dead letters, registered in DI per job type (as Hangfire's
/// <c>IStateHandler</c> is registered per state): the engine writes its own <c>dead_letters</c> row and
/// calls the handler for the failed job's <see cref="JobType"/>, inside the same transaction, so the row
/// and the domain change commit together. A job type without a handler is dead-lettered all the same.
/// </summary>
/// <remarks>
/// Every method may be called again for the same change (Hangfire retries a state change whose
/// filter threw), so each must be idempotent: guarded updates that move nothing the second time.
/// </remarks>
public interface IDeadLetterHandler
{
    /// <summary>The job class whose dead letters this handles (Hangfire's <see cref="Job.Type"/>).</summary>
    Type JobType { get; }

    /// <summary>What the dead letter records about the job's subject, read from the job's own arguments.</summary>
    DeadLetterSubject SubjectOf(Job job);

    /// <summary>The job's attempts ran out (or it failed permanently): its dead letter was just written.</summary>
    Task DeadLetteredAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// The open dead letter was requeued (any door); when <see cref="DeadLetterEvent.JobGone"/>, its job no longer
    /// exists and the subject must get a new one. Returns whether the subject changed (false rolls the requeue back).
    /// </summary>
    Task<bool> RequeuedAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    /// <summary>The open dead letter was discarded: its subject must never be acted on afterwards, by any door.</summary>
    Task DiscardedAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// The job was deleted before it ran or failed (the stock dashboard's Delete on a Scheduled or Enqueued job, or
    /// our own cancel): its subject is cancelled. <paramref name="reason"/> is the Deleted state's reason, if any.
    /// </summary>
    Task DeletedAsync(long jobId, Job job, string actor, string? reason, NpgsqlTransaction transaction, CancellationToken cancellationToken);
}
