using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The engine's own <c>dead_letters</c> rows, as <see cref="DeadLetterFilter"/> and <see cref="DeadLetters"/> write
/// them, each change in one transaction with the domain side its job type's <see cref="IDeadLetterHandler"/> adds.
/// Only the database: it must not depend on Hangfire's client, whose filters include the filter that uses this.
/// No domain table is written here.
/// </summary>
internal sealed class DeadLetterLog(NpgsqlDataSource dataSource, DeadLetterHandlers handlers, IClock clock)
{
    private const string RecordSql = """
        with inserted as (
            insert into dead_letters (job_id, job_type, job_method, args, message_id, notification_id, attempts, reason,
                                      exception_type, exception_message, exception_stack, dead_lettered_at)
            values (@JobId, @JobType, @JobMethod, @ArgsJson::jsonb, @messageId, @notificationId, @Attempts, @Reason,
                    @exceptionType, @exceptionMessage, @exceptionStack, @now)
            on conflict (job_id) where resolution is null do nothing
            returning id
        )
        select id, true from inserted
        union all
        select id, false from dead_letters where job_id = @JobId and resolution is null
        limit 1
        """;

    // Each resolves only an open row: of a requeue and a discard racing for one dead letter, one wins.
    private const string RequeueByJobSql = """
        update dead_letters set resolution = 'Requeued', resolved_at = @now, resolved_by = @actor, requeues = requeues + 1
        where job_id = @jobId and resolution is null
        returning id, job_id, job_type, message_id, notification_id
        """;

    private const string RequeueByIdSql = """
        update dead_letters set resolution = 'Requeued', resolved_at = @now, resolved_by = @actor, requeues = requeues + 1
        where id = @id and resolution is null
        returning id, job_id, job_type, message_id, notification_id
        """;

    private const string DiscardByJobSql = """
        update dead_letters set resolution = 'Discarded', resolved_at = @now, resolved_by = @actor
        where job_id = @jobId and resolution is null
        returning id, job_id, job_type, message_id, notification_id
        """;

    private const string DiscardByIdSql = """
        update dead_letters set resolution = 'Discarded', resolved_at = @now, resolved_by = @actor
        where id = @id and resolution is null
        returning id, job_id, job_type, message_id, notification_id
        """;

    /// <summary>
    /// Writes the open dead letter of a job (or finds the one already open: a retried state change writes
    /// nothing twice), and tells its job type's handler. Returns the dead letter's id.
    /// </summary>
    public async Task<long> RecordAsync(NewDeadLetter letter, Hangfire.Common.Job? job, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var (id, created) = await connection.QuerySingleAsync<(long, bool)>(new CommandDefinition(RecordSql, new
        {
            letter.JobId, letter.JobType, letter.JobMethod, letter.ArgsJson, letter.Subject.MessageId, letter.Subject.NotificationId,
            letter.Attempts, letter.Reason,
            exceptionType = letter.Exception?.GetType().FullName,
            exceptionMessage = letter.Exception?.Message,
            exceptionStack = letter.Exception?.ToString(),
            now = clock.GetCurrentInstant(),
        }, tx, cancellationToken: cancellationToken));
        if (handlers.For(job) is { } handler)
        {
            await handler.DeadLetteredAsync(new DeadLetterEvent(id, letter.JobId, letter.Subject, actor, letter.Attempts,
                letter.Exception?.Message, FirstTime: created), tx, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>The job of an open dead letter was requeued (any door): the row records who, the handler returns its subject to work.</summary>
    public Task<bool> MarkRequeuedByJobAsync(long jobId, string actor, CancellationToken cancellationToken) =>
        ResolveAsync(RequeueByJobSql, new { jobId, actor }, actor, jobGone: false, (h, e, tx) => h.RequeuedAsync(e, tx, cancellationToken),
            cancellationToken);

    /// <summary>
    /// An open dead letter whose job no longer exists is requeued: its handler hands the subject a new job. False
    /// (nothing written) when it is not open, or the handler had nothing to revive.
    /// </summary>
    public Task<bool> RequeueWithoutJobAsync(long id, string actor, CancellationToken cancellationToken) =>
        ResolveAsync(RequeueByIdSql, new { id, actor }, actor, jobGone: true, (h, e, tx) => h.RequeuedAsync(e, tx, cancellationToken),
            cancellationToken);

    /// <summary>The Failed job of an open dead letter was deleted (the stock Delete, or our Discard): Discarded, with who.</summary>
    public Task<bool> MarkDiscardedByJobAsync(long jobId, string actor, CancellationToken cancellationToken) =>
        ResolveAsync(DiscardByJobSql, new { jobId, actor }, actor, jobGone: false, Discard(cancellationToken), cancellationToken);

    /// <summary>An open dead letter is discarded while its job is not Failed (gone, or never ours). False when it is not open.</summary>
    public Task<bool> MarkDiscardedAsync(long id, string actor, CancellationToken cancellationToken) =>
        ResolveAsync(DiscardByIdSql, new { id, actor }, actor, jobGone: false, Discard(cancellationToken), cancellationToken);

    /// <summary>A job that was not Failed was deleted: its handler cancels its subject, in a transaction of its own.</summary>
    public async Task JobDeletedAsync(long jobId, Hangfire.Common.Job? job, string actor, string? reason, CancellationToken cancellationToken)
    {
        if (job is null || handlers.For(job) is not { } handler)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await handler.DeletedAsync(jobId, job, actor, reason, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private static Func<IDeadLetterHandler, DeadLetterEvent, NpgsqlTransaction, Task<bool>> Discard(CancellationToken cancellationToken) =>
        async (h, e, tx) =>
        {
            await h.DiscardedAsync(e, tx, cancellationToken);
            return true;
        };

    private async Task<bool> ResolveAsync(string sql, object args, string actor, bool jobGone,
        Func<IDeadLetterHandler, DeadLetterEvent, NpgsqlTransaction, Task<bool>> tell, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new DynamicParameters(args);
        parameters.Add("now", clock.GetCurrentInstant());
        var row = await connection.QuerySingleOrDefaultAsync<Resolved>(new CommandDefinition(sql, parameters, tx, cancellationToken: cancellationToken));
        if (row is null)
        {
            return false;
        }

        if (handlers.For(row.JobType) is { } handler)
        {
            var letter = new DeadLetterEvent(row.Id, row.JobId, new DeadLetterSubject(row.MessageId, row.NotificationId), actor, JobGone: jobGone);
            if (!await tell(handler, letter, tx))
            {
                return false; // rolled back: the row stays open
            }
        }
        else if (jobGone)
        {
            return false; // nothing can give a job of an unknown type a new one
        }

        await tx.CommitAsync(cancellationToken);
        return true;
    }

    private sealed record Resolved(long Id, long JobId, string JobType, long? MessageId, long? NotificationId);
}
