using Dapper;
using Hangfire;
using Hangfire.States;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The dead-letter table: Hangfire jobs whose attempts ran out or failed permanently (they stay in
/// Hangfire's Failed state). Requeue goes through Hangfire (Failed → Enqueued), which is the same door
/// as the stock dashboard's Requeue button, so <see cref="DeadLetterFilter"/> records it the same way.
/// Discard keeps the row and marks it Discarded, with who; the job stays Failed.
/// </summary>
public sealed class DeadLetters(NpgsqlDataSource dataSource, IBackgroundJobClient jobs, JobStorage storage, IClock clock)
{
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from dead_letters where resolution is null", cancellationToken: cancellationToken));
    }

    public async Task<DeadLetter?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
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
            if (jobs.ChangeState(letter.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), new EnqueuedState
            {
                Reason = $"Requeued by {actor} (dead letter #{id})",
            }, FailedState.StateName))
            {
                return true;
            }
        }

        // The job is gone (Hangfire expired or deleted it, or it belonged to the retired engine). A
        // message it sent is handed back to the dispatcher, which gives it a new job.
        if (letter.MessageId is { } messageId && await ReviveMessageAsync(id, messageId, actor, cancellationToken))
        {
            return true;
        }

        return false;
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
        using (var connection = storage.GetConnection())
        {
            state = connection.GetStateData(id)?.Name;
        }

        if (state != FailedState.StateName && state != SucceededState.StateName && state != DeletedState.StateName)
        {
            return false;
        }

        using (JobActor.Push(actor))
        {
            return jobs.ChangeState(id, new EnqueuedState { Reason = $"Requeued by {actor}" }, state);
        }
    }

    /// <summary>Marks an open dead letter Discarded. False when it is not open.</summary>
    public async Task<bool> DiscardAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            update dead_letters set resolution = 'Discarded', resolved_at = @now, resolved_by = @actor
            where id = @id and resolution is null
            """, new { id, actor, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken));
        return changed == 1;
    }

    private async Task<bool> ReviveMessageAsync(long id, long messageId, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var now = clock.GetCurrentInstant();
        var revived = await connection.ExecuteAsync(new CommandDefinition("""
            update messages set status = 'scheduled', job_id = null, error = null, updated_at = @now
            where id = @messageId and status in ('dead_lettered', 'failed')
            """, new { messageId, now }, tx, cancellationToken: cancellationToken));
        if (revived == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            update dead_letters set resolution = 'Requeued', resolved_at = @now, resolved_by = @actor, requeues = requeues + 1
            where id = @id and resolution is null
            """, new { id, actor, now }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into message_events (message_id, at, event, detail) values (@messageId, @now, 'requeued', @detail)",
            new { messageId, now, detail = $"by {actor}: its job was gone; a new one is created" }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
