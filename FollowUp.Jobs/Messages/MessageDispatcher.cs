using Dapper;
using FollowUp.Jobs.Engine;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Gives every scheduled message its Hangfire job: an outbox. Messages commit first (with the caller's
/// rows: a call's plan, a developer's transaction), without a job; their jobs are created after the
/// commit and their ids written back. A rolled-back plan therefore leaves neither messages nor jobs.
/// </summary>
/// <remarks>
/// <para>Why not one transaction: Hangfire.PostgreSql writes on its own connection, and two connections
/// in one <c>TransactionScope</c> escalate to a distributed transaction, which .NET does not support on
/// Linux. The outbox is as strong: a committed message is never without a job for long.</para>
/// <para>Who dispatches: the committer right after its commit (call intake, ad-hoc sends), and
/// <see cref="MessageDispatchLoop"/> on every server for whatever a crash or a caller's own transaction
/// left undispatched. Rows are claimed <c>FOR UPDATE SKIP LOCKED</c>, so two dispatchers never both take a
/// message. A crash after creating a job but before recording it leaves a job that owns nothing: the
/// message is dispatched again, and the orphan finds the message owned by another job and does nothing.</para>
/// </remarks>
internal sealed class MessageDispatcher(NpgsqlDataSource dataSource, IBackgroundJobClient jobs, IClock clock, ILogger<MessageDispatcher> logger)
{
    private const string ClaimSql = """
        select id, channel, kind, recipient, scheduled_for from messages
        where job_id is null and status = 'scheduled' and (@ids::bigint[] is null or id = any(@ids))
          and (@createdBefore::timestamptz is null or created_at < @createdBefore)
        order by id
        limit @limit
        for update skip locked
        """;

    /// <summary>
    /// Creates the jobs of <paramref name="ids"/> (or, when null, of any undispatched messages, at most
    /// <paramref name="limit"/>) that still have none, of those created before <paramref name="createdBefore"/>
    /// when given. Returns how many were dispatched.
    /// </summary>
    public async Task<int> DispatchAsync(IReadOnlyCollection<long>? ids, int limit, CancellationToken cancellationToken,
        Instant? createdBefore = null)
    {
        if (ids is { Count: 0 })
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<Undispatched>(new CommandDefinition(ClaimSql,
            new { ids = ids?.ToArray(), limit, createdBefore }, tx, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return 0;
        }

        var now = clock.GetCurrentInstant();
        var jobIds = new List<long>(rows.Count);
        Exception? failure = null;
        foreach (var row in rows)
        {
            try
            {
                jobIds.Add(Create(row, now));
            }
            catch (Exception ex) when (ex is BackgroundJobClientException or NpgsqlException or TimeoutException)
            {
                // Keep the jobs already made (recorded below); the rest wait for the next pass.
                failure = ex;
                break;
            }
        }

        // Checkpoint: the jobs exist. If this commit is lost, the messages are dispatched again and
        // these jobs find them owned by others (SendMessageJob does nothing then).
        await connection.ExecuteAsync(new CommandDefinition("""
            update messages m set job_id = j.job_id, updated_at = @now
            from unnest(@ids, @jobIds) as j(id, job_id)
            where m.id = j.id
            """, new { ids = rows.Take(jobIds.Count).Select(r => r.Id).ToArray(), jobIds = jobIds.ToArray(), now }, tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        if (failure is not null)
        {
            throw new BackgroundJobClientException($"Created {jobIds.Count} of {rows.Count} jobs; the others wait for the next pass.", failure);
        }

        return rows.Count;
    }

    /// <summary>
    /// Dispatches right after a commit; a failure is logged, not thrown: the messages are committed and
    /// <see cref="MessageDispatchLoop"/> dispatches them on its next pass.
    /// </summary>
    public async Task DispatchCommittedAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        try
        {
            await DispatchAsync(ids, ids.Count, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or BackgroundJobClientException)
        {
            logger.LogWarning(ex, "Dispatching {Count} committed message(s) failed; the dispatch loop will create their jobs", ids.Count);
        }
    }

    /// <summary>Creates the send job of one message: enqueued when due, scheduled for its instant otherwise.</summary>
    internal long Create(long messageId, string channel, string kind, string recipient, Instant scheduledFor, Instant now)
    {
        var queue = MessageKind.IsUrgent(kind) ? EngineOptions.CriticalQueue : EngineOptions.DefaultQueue;
        var label = SendMessageJob.Label(channel, kind, recipient);
        var job = Job.FromExpression<SendMessageJob>(x => x.SendAsync(messageId, label, null, CancellationToken.None), queue);
        IState state = scheduledFor <= now
            ? new EnqueuedState(queue) { Reason = "Due now" }
            // Rounded up to a whole second: Hangfire would otherwise start it up to a second before its instant.
            : new ScheduledState(HangfireTime.NotBefore(scheduledFor)) { Reason = $"Planned for {scheduledFor}" };
        return long.Parse(jobs.Create(job, state), System.Globalization.CultureInfo.InvariantCulture);
    }

    private long Create(Undispatched row, Instant now) =>
        Create(row.Id, row.Channel, row.Kind, row.Recipient, row.ScheduledFor, now);

    private sealed record Undispatched(long Id, string Channel, string Kind, string Recipient, Instant ScheduledFor);
}
