using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Creates and changes jobs. Every method has a form that takes the caller's open
/// <see cref="NpgsqlTransaction"/>, so business rows and their jobs commit or roll back together;
/// once committed, a job is never lost. Without a transaction each call commits on its own.
/// </summary>
public interface IJobClient
{
    /// <summary>Enqueues <typeparamref name="TJob"/> to run now. Returns the job id.</summary>
    Task<long> EnqueueAsync<TJob>(object args, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules <typeparamref name="TJob"/> for an exact instant (a past instant runs now). Lateness is
    /// typically milliseconds: nodes set a timer to the next due job and are woken by NOTIFY.
    /// </summary>
    Task<long> ScheduleAsync<TJob>(object args, Instant runAt, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Inserts many jobs in one round trip; ids are returned in the order of <paramref name="jobs"/>.</summary>
    Task<IReadOnlyList<long>> EnqueueManyAsync(IReadOnlyCollection<JobRequest> jobs, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts many jobs inside the caller's <paramref name="transaction"/> without the NOTIFY that
    /// <see cref="EnqueueManyAsync"/> sends at commit: PostgreSQL serialises the commits of transactions
    /// that NOTIFY on one database-wide lock, held through the commit's flush to disk, which caps a busy
    /// intake at one commit per flush. After committing, call <see cref="AnnounceCommitted"/> with the
    /// returned instant; without it the jobs still run, found by the nodes' next poll
    /// (<c>FollowUp:Engine:PollSeconds</c>) or timer.
    /// </summary>
    Task<(IReadOnlyList<long> Ids, Instant EarliestRunAt)> EnqueueManyUnannouncedAsync(IReadOnlyCollection<JobRequest> jobs,
        NpgsqlTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Wakes this node's worker and, by a coalesced NOTIFY outside any transaction, the other nodes, for
    /// jobs committed by <see cref="EnqueueManyUnannouncedAsync"/>.
    /// </summary>
    void AnnounceCommitted(Instant earliestRunAt);

    /// <summary>
    /// Cancels a job that is Scheduled, Enqueued or Failed. Returns false when the job is in any other
    /// state (already running or finished) or does not exist; nothing changes then.
    /// </summary>
    Task<bool> CancelAsync(long jobId, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a fresh series of attempts for a Failed, DeadLettered, Succeeded or Cancelled job: it is
    /// enqueued now with its attempt count reset; the history keeps the old attempts and records
    /// <paramref name="actor"/>; an open dead letter is marked Requeued. False when not in such a state.
    /// </summary>
    Task<bool> RequeueAsync(long jobId, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or replaces a recurring job: <paramref name="cron"/> is a Quartz cron expression (with
    /// seconds) evaluated in <paramref name="timeZone"/>, so "0 0 9 * * ?" is 09:00 local on both sides
    /// of a DST change. Each firing enqueues <typeparamref name="TJob"/> once across the cluster.
    /// Inside a transaction the definition commits with it and reaches the scheduler within the sync
    /// interval; without one it is scheduled before this returns.
    /// </summary>
    Task AddOrUpdateRecurringAsync<TJob>(string id, string cron, NodaTime.DateTimeZone timeZone, object args, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a recurring job; its already-enqueued jobs are left alone.</summary>
    Task<bool> RemoveRecurringAsync(string id, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Every recurring definition, by id, with its last run and whether it is paused.</summary>
    Task<IReadOnlyList<RecurringJobInfo>> ListRecurringAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues one job of a recurring definition now, outside its schedule, and records it as the
    /// last run; the schedule is unchanged. Returns the job id, or null when there is no such definition.
    /// </summary>
    Task<long?> TriggerRecurringAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pauses a recurring job (its trigger is removed; occurrences while paused are skipped, not made
    /// up) or resumes it (the next occurrence after now fires). False when there is no such definition
    /// or it already is in that state.
    /// </summary>
    Task<bool> SetRecurringPausedAsync(string id, bool paused, CancellationToken cancellationToken = default);
}
