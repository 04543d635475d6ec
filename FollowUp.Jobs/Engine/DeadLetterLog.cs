using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The dead-letter rows as <see cref="DeadLetterFilter"/> writes them from inside Hangfire's state
/// changes. Only the database: it must not depend on Hangfire's client, whose filters include the
/// filter that uses this.
/// </summary>
internal sealed class DeadLetterLog(NpgsqlDataSource dataSource, IClock clock)
{
    /// <summary>
    /// Writes the open dead letter of a job (or returns the one already open: a retried state change
    /// writes nothing twice) and moves its message to <c>dead_lettered</c> (telling the business, when it
    /// asked for <c>message.dead_lettered</c>) or its notification to <c>dead_lettered</c>. Returns the
    /// dead letter's id.
    /// </summary>
    public async Task<long> RecordAsync(NewDeadLetter letter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var (id, created) = await connection.QuerySingleAsync<(long, bool)>(new CommandDefinition("""
            with inserted as (
                insert into dead_letters (job_id, job_type, job_method, args, message_id, notification_id, attempts, reason,
                                          exception_type, exception_message, exception_stack, dead_lettered_at)
                values (@JobId, @JobType, @JobMethod, @ArgsJson::jsonb, @MessageId, @NotificationId, @Attempts, @Reason,
                        @exceptionType, @exceptionMessage, @exceptionStack, @now)
                on conflict (job_id) where resolution is null do nothing
                returning id
            )
            select id, true from inserted
            union all
            select id, false from dead_letters where job_id = @JobId and resolution is null
            limit 1
            """, new
            {
                letter.JobId, letter.JobType, letter.JobMethod, letter.ArgsJson, letter.MessageId, letter.NotificationId, letter.Attempts, letter.Reason,
                exceptionType = letter.Exception?.GetType().FullName,
                exceptionMessage = letter.Exception?.Message,
                exceptionStack = letter.Exception?.ToString(),
                now = clock.GetCurrentInstant(),
            }, tx, cancellationToken: cancellationToken));
        var now = clock.GetCurrentInstant();
        if (letter.MessageId is { } messageId)
        {
            var moved = await connection.ExecuteAsync(new CommandDefinition("""
                update messages set status = 'dead_lettered', updated_at = @now
                where id = @messageId and status in ('scheduled', 'sending', 'failed')
                """, new { messageId, now }, tx, cancellationToken: cancellationToken));
            if (created && moved == 1)
            {
                await Notifications.NotificationOutbox.AddForMessageAsync(tx, messageId, Notifications.NotificationTypes.MessageDeadLettered,
                    new { dead_letter_id = id, attempts = letter.Attempts, error = letter.Exception?.Message }, now, cancellationToken);
            }
        }

        if (letter.NotificationId is { } notificationId)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update notifications set status = 'dead_lettered' where id = @notificationId and status = 'pending'",
                new { notificationId }, tx, cancellationToken: cancellationToken));
        }

        await tx.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>The job of an open dead letter was requeued (any door): the row records who, the message is scheduled again.</summary>
    public async Task MarkRequeuedAsync(long jobId, long? messageId, long? notificationId, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var now = clock.GetCurrentInstant();
        await connection.ExecuteAsync(new CommandDefinition("""
            update dead_letters set resolution = 'Requeued', resolved_at = @now, resolved_by = @actor, requeues = requeues + 1
            where job_id = @jobId and resolution is null
            """, new { jobId, actor, now }, tx, cancellationToken: cancellationToken));
        if (messageId is { } id)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                update messages set status = 'scheduled', error = null, updated_at = @now
                where id = @id and status in ('dead_lettered', 'failed')
                """, new { id, now }, tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into message_events (message_id, at, event, detail) values (@id, @now, 'requeued', @detail)",
                new { id, now, detail = $"by {actor}: job {jobId} runs again" }, tx, cancellationToken: cancellationToken));
        }

        if (notificationId is { } notification)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update notifications set status = 'pending' where id = @notification and status = 'dead_lettered'",
                new { notification }, tx, cancellationToken: cancellationToken));
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The Failed job of an open dead letter was deleted (the stock dashboard's Delete).</summary>
    public async Task MarkDiscardedByJobAsync(long jobId, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            update dead_letters set resolution = 'Discarded', resolved_at = @now, resolved_by = @actor
            where job_id = @jobId and resolution is null
            """, new { jobId, actor, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken));
    }

}
