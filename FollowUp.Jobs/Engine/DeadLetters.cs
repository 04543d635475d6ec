using Dapper;
using Hangfire;
using Hangfire.States;
using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The dead-letter table: Hangfire jobs whose attempts ran out or failed permanently (they stay in
/// Hangfire's Failed state). Requeue goes through Hangfire (Failed → Enqueued), which is the same door
/// as the stock dashboard's Requeue button, so <see cref="DeadLetterFilter"/> records it the same way.
/// Discard keeps the row and marks it Discarded, with who, and moves the job from Failed to Deleted (the
/// same door as the stock Delete); its job type's handler makes sure its subject is never acted on again,
/// whichever door a later requeue comes through.
/// </summary>
public sealed class DeadLetters
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IBackgroundJobClient _jobs;
    private readonly JobStorage _storage;
    private readonly DeadLetterLog _log;

    internal DeadLetters(NpgsqlDataSource dataSource, IBackgroundJobClient jobs, JobStorage storage, DeadLetterLog log)
    {
        _dataSource = dataSource;
        _jobs = jobs;
        _storage = storage;
        _log = log;
    }

    private const string Columns = """
        d.id, d.job_id, d.job_type, d.job_method, d.args::text as args, d.message_id, d.attempts, d.reason, d.exception_type,
        d.exception_message, d.exception_stack, d.dead_lettered_at, d.resolution, d.resolved_at, d.resolved_by, d.requeues,
        coalesce(m.client_id, n.client_id) as client_id, coalesce(m.kind, n.type) as kind,
        coalesce(m.channel, case when n.id is not null then 'webhook' end) as channel,
        coalesce(m.recipient, nc.notify_url) as recipient, coalesce(m.body, n.data::text) as body
        """;

    // A send job's row shows its message; a notification's shows the event, its data and where it goes.
    private const string From = """
        dead_letters d left join messages m on m.id = d.message_id
        left join notifications n on n.id = d.notification_id left join clients nc on nc.id = n.client_id
        """;

    /// <summary>Open (unresolved) dead letters, newest first, keyset-paged by id.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListOpenAsync(int limit, long? beforeId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeadLetter>(new CommandDefinition($"""
            select {Columns} from {From}
            where d.resolution is null and (@beforeId::bigint is null or d.id < @beforeId)
            order by d.id desc limit @limit
            """, new { limit, beforeId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>How many dead letters are open (the Hangfire menu's badge; served by a partial index).</summary>
    public async Task<long> CountOpenAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from dead_letters where resolution is null", cancellationToken: cancellationToken));
    }

    public async Task<DeadLetter?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeadLetter>(new CommandDefinition(
            $"select {Columns} from {From} where d.id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Requeues the job behind an open dead letter: a fresh series of attempts, recorded with
    /// <paramref name="actor"/>. False when the dead letter is not open, or its job is no longer
    /// Failed (requeued meanwhile through another door).
    /// </summary>
    public async Task<bool> RequeueAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var letter = await FindAsync(id, cancellationToken);
        if (letter is not { Resolution: null })
        {
            return false;
        }

        using (JobActor.Push(actor))
        {
            if (_jobs.ChangeState(letter.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), new EnqueuedState
            {
                Reason = $"Requeued by {actor} (dead letter #{id})",
            }, FailedState.StateName))
            {
                return true;
            }
        }

        // The job is gone (Hangfire expired it, or it belonged to the retired engine): its handler hands the
        // message back to the dispatcher, which gives it a new job. A job that still exists in another
        // state (requeued meanwhile, or Deleted by a discard) is not revived here.
        if (JobExists(letter.JobId))
        {
            return false;
        }

        return await _log.RequeueWithoutJobAsync(id, actor, cancellationToken);
    }

    private bool JobExists(long jobId)
    {
        using var connection = _storage.GetConnection();
        return connection.GetStateData(jobId.ToString(System.Globalization.CultureInfo.InvariantCulture)) is not null;
    }

    /// <summary>
    /// Requeues any Hangfire job that has finished (Failed, Succeeded or Deleted): a fresh series of
    /// attempts, recorded with <paramref name="actor"/>; a Failed one's dead letter is marked Requeued.
    /// False when the job does not exist or is still waiting or running.
    /// </summary>
    public bool RequeueJob(long jobId, string actor)
    {
        var id = jobId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string? state;
        using (var connection = _storage.GetConnection())
        {
            state = connection.GetStateData(id)?.Name;
        }

        if (state != FailedState.StateName && state != SucceededState.StateName && state != DeletedState.StateName)
        {
            return false;
        }

        using (JobActor.Push(actor))
        {
            return _jobs.ChangeState(id, new EnqueuedState { Reason = $"Requeued by {actor}" }, state);
        }
    }

    /// <summary>
    /// Discards an open dead letter, with who: its Failed job moves to Deleted (the reason names the discard),
    /// and its subject is never acted on afterwards (a message is cancelled), whichever door a later requeue
    /// comes through. False when it is not open (requeued or discarded meanwhile).
    /// </summary>
    public async Task<bool> DiscardAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var letter = await FindAsync(id, cancellationToken);
        if (letter is not { Resolution: null })
        {
            return false;
        }

        using (JobActor.Push(actor))
        {
            // The filter marks the row Discarded and tells the handler, inside this state change; a
            // requeue racing it through another door finds the job no longer Failed.
            if (_jobs.ChangeState(letter.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new DeletedState { Reason = $"Discarded by {actor} (dead letter #{id})" }, FailedState.StateName))
            {
                return (await FindAsync(id, cancellationToken))?.Resolution == "Discarded";
            }
        }

        // The job is not Failed (gone, or requeued meanwhile: then the row is no longer open and this is false).
        return await _log.MarkDiscardedAsync(id, actor, cancellationToken);
    }
}
