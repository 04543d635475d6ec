using Dapper;
using Npgsql;

namespace FollowUp.Jobs.Messages;

internal sealed partial class MessageStore
{
    // The one statement that writes messages.status, and its event beside it. The guard is the
    // change's named set of starting statuses (@from, an array from MessageStatus), so a late or
    // repeated change moves nothing and writes no event.
    private const string TransitionSql = """
        with changed as (
            update messages m set status = @to, updated_at = @now,
                error = case when @clearError then null else coalesce(@error::text, m.error) end,
                skip_reason = coalesce(@skipReason::text, m.skip_reason),
                scheduled_for = coalesce(@scheduledFor::timestamptz, m.scheduled_for),
                job_id = case when @clearJob then null else coalesce(@newJobId::bigint, m.job_id) end,
                attempted_at = case when @attempted then @now else m.attempted_at end,
                failed_attempts = m.failed_attempts + case when @failedAttempt then 1 else 0 end,
                provider = case when @sent then @provider::text else m.provider end,
                provider_message_id = case when @sent then nullif(@providerMessageId::text, '') else m.provider_message_id end,
                email_message_id = case when @sent then @emailMessageId::text else m.email_message_id end,
                sent_at = case when @sent then @now else m.sent_at end,
                delivered_at = case when @delivered then @now else m.delivered_at end,
                segments = case when @sent then @segments::int else coalesce(@segments::int, m.segments) end,
                cost = coalesce(@cost::numeric, m.cost),
                currency = coalesce(@currency::text, m.currency)
            where m.id = any(@ids) and m.status = any(@from)
              and (@expectedJobId::bigint is null or m.job_id = @expectedJobId::bigint)
            returning m.id, m.job_id, m.client_id, m.kind, m.channel, m.provider
        ), events as (
            insert into message_events (message_id, at, event, detail)
            select id, @now, @event, @detail from changed
        )
        select id, job_id, client_id, kind, channel, provider from changed order by id
        """;

    private const string AddEventSql = "insert into message_events (message_id, at, event, detail) values (@id, @now, @eventName, @detail)";

    /// <summary>
    /// Applies <paramref name="change"/> to the messages <paramref name="ids"/> names that are in one of its
    /// starting statuses, writing each one's event in the same statement: inside
    /// <paramref name="transaction"/> when the caller has one, else in a statement of its own. Returns
    /// the messages that changed, with their job ids.
    /// </summary>
    public async Task<IReadOnlyList<(long Id, long? JobId)>> TransitionAsync(IReadOnlyCollection<long> ids, StatusChange change,
        NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(change);
        if (ids.Count == 0)
        {
            return [];
        }

        var args = new
        {
            ids = ids.ToArray(), to = change.To, from = change.From.ToArray(), @event = change.Event, detail = change.Detail,
            error = change.Error, clearError = change.ClearError, skipReason = change.SkipReason, scheduledFor = change.ScheduledFor,
            expectedJobId = change.ExpectedJobId, newJobId = change.NewJobId, clearJob = change.ClearJob, attempted = change.Attempted,
            failedAttempt = change.FailedAttempt,
            sent = change.Sent is not null, provider = change.Sent?.Provider, providerMessageId = change.Sent?.ProviderMessageId,
            emailMessageId = change.Sent?.EmailMessageId, delivered = change.Delivered,
            segments = change.Sent is { } s ? s.Segments : change.Segments,
            cost = change.Sent?.Cost ?? change.Price?.Amount,
            currency = change.Sent?.Currency ?? change.Price?.Currency,
            now = clock.GetCurrentInstant(),
        };
        List<Changed> changed;
        if (transaction is not null)
        {
            changed = (await transaction.Connection!.QueryAsync<Changed>(new CommandDefinition(TransitionSql, args, transaction,
                cancellationToken: cancellationToken))).AsList();
        }
        else
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            changed = (await connection.QueryAsync<Changed>(new CommandDefinition(TransitionSql, args,
                cancellationToken: cancellationToken))).AsList();
        }

        // Counted where the change happens, once per message that moved (inside a caller's transaction
        // that then rolls back, a change is counted that did not stay: callers commit at once).
        foreach (var c in changed)
        {
            metrics?.StatusChanged(change.To, c.ClientId, c.Kind, c.Channel, c.Provider, change.SkipReason);
        }

        return [.. changed.Select(c => (c.Id, c.JobId))];
    }

    private sealed record Changed(long Id, long? JobId, string ClientId, string Kind, string Channel, string? Provider);

    /// <summary>One message's <see cref="TransitionAsync(IReadOnlyCollection{long}, StatusChange, NpgsqlTransaction?, CancellationToken)"/>: whether it changed.</summary>
    public async Task<bool> TransitionAsync(long id, StatusChange change, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        (await TransitionAsync([id], change, transaction, cancellationToken)).Count == 1;

    /// <summary>Records what happened to a message besides a status change (a failover, a possible double send, an edit, a callback).</summary>
    public Task AddEventAsync(long id, string eventName, string? detail, CancellationToken cancellationToken) =>
        AddEventAsync(id, eventName, detail, null, cancellationToken);

    /// <summary>As <see cref="AddEventAsync(long, string, string?, CancellationToken)"/>, inside the caller's transaction when it has one.</summary>
    public async Task AddEventAsync(long id, string eventName, string? detail, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var args = new { id, eventName, detail, now = clock.GetCurrentInstant() };
        if (transaction is not null)
        {
            await transaction.Connection!.ExecuteAsync(new CommandDefinition(AddEventSql, args, transaction, cancellationToken: cancellationToken));
            return;
        }

        await ExecuteAsync(AddEventSql, args, cancellationToken);
    }
}
