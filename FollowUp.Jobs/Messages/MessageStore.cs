using Dapper;
using Npgsql;
using NodaTime;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Reads and writes <c>messages</c> and <c>message_events</c>. Every status change goes through
/// <see cref="TransitionAsync(IReadOnlyCollection{long}, StatusChange, NpgsqlTransaction?, CancellationToken)"/>,
/// guarded by the statuses it expects, so a late or repeated call changes nothing.
/// </summary>
internal sealed partial class MessageStore(NpgsqlDataSource dataSource, IClock clock, Telemetry.FollowUpMetrics? metrics = null)
{
    private const string Columns = """
        id, client_id, call_id, kind, channel, recipient, subject, body, scheduled_for, status, skip_reason,
        provider, provider_message_id, segments, cost, currency, error, job_id, sent_at, delivered_at, created_at,
        written_by, template_body, ai_model, ai_cost, ai_kept_reason
        """;

    // As InsertManySql, one row: the skip reason, appointment and customer phone are kept too.
    private const string InsertSql = """
        insert into messages (client_id, call_id, kind, channel, marketing, recipient, subject, body, scheduled_for,
                              status, skip_reason, appointment_id, customer_phone, created_at, updated_at, trace_parent)
        values (@clientId, @callId, @kind, @channel, @marketing, @recipient, @subject, @body, @scheduledFor,
                case when @skipReason::text is null then 'scheduled' else 'skipped' end, @skipReason, @appointmentId,
                @customerPhone, @now, @now, @traceParent)
        returning id
        """;

    /// <summary>
    /// Inserts a scheduled message (skipped, given a skip reason) inside <paramref name="transaction"/>; its job is
    /// created after the commit (<see cref="MessageDispatcher"/>).
    /// </summary>
    public async Task<long> InsertAsync(NewMessage message, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, new
        {
            message.ClientId, message.CallId, message.Kind, message.Channel, marketing = MessageKind.IsMarketing(message.Kind),
            message.Recipient, message.Subject, message.Body, message.ScheduledFor, message.SkipReason, message.AppointmentId,
            message.CustomerPhone, now = clock.GetCurrentInstant(), traceParent = Telemetry.FollowUpTelemetry.CurrentTraceParent(),
        }, transaction, cancellationToken: cancellationToken));

    public async Task<MessageInfo?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MessageInfo>(new CommandDefinition(
            $"select {Columns} from messages where id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<MessageInfo>> ForCallAsync(string clientId, string callId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageInfo>(new CommandDefinition(
            $"select {Columns} from messages where client_id = @clientId and call_id = @callId order by id",
            new { clientId, callId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Checkpoint before a provider is called: <c>sending</c>, from <see cref="MessageStatus.Sendable"/>.
    /// False when the message is sent, delivered, cancelled, skipped or dead-lettered (nothing to do).
    /// </summary>
    public Task<bool> MarkSendingAsync(long id, string detail, CancellationToken cancellationToken) =>
        TransitionAsync(id, new StatusChange(MessageStatus.Sending, MessageStatus.Sendable, "sending", detail)
        {
            Attempted = true, ClearError = true,
        }, null, cancellationToken);

    /// <summary>Checkpoint after the provider accepted: <c>sent</c> with its id, segments and cost.</summary>
    public Task<bool> MarkSentAsync(long id, SentReceipt receipt, CancellationToken cancellationToken) =>
        TransitionAsync(id, new StatusChange(MessageStatus.Sent, MessageStatus.InFlight, "sent",
            receipt.ProviderMessageId.Length > 0 ? $"{receipt.Provider}: {receipt.ProviderMessageId}" : receipt.Provider)
        {
            Sent = receipt, ClearError = true,
        }, null, cancellationToken);

    /// <summary>
    /// A copy the provider proves it already has (a lookup found it, or a status callback named this
    /// message): <c>sent</c> with its id, from <see cref="MessageStatus.Adoptable"/>, and nothing is sent.
    /// </summary>
    public Task<bool> AdoptSentAsync(long id, SentReceipt receipt, string detail, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        TransitionAsync(id, new StatusChange(MessageStatus.Sent, MessageStatus.Adoptable, "sent", detail)
        {
            Sent = receipt, ClearError = true,
        }, transaction, cancellationToken);

    /// <summary>
    /// The segments and cost of an acceptance whose <c>sent</c> a status callback recorded first (it named
    /// the message before the attempt stored its answer); only fills what the callback left empty.
    /// </summary>
    public Task<int> FillReceiptAsync(long id, SentReceipt receipt, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            update messages set segments = coalesce(segments, @segments), cost = coalesce(cost, @cost),
                currency = coalesce(currency, @currency), updated_at = @now
            where id = @id and provider = @provider and provider_message_id = @providerMessageId
            """, new { id, receipt.Segments, receipt.Cost, receipt.Currency, receipt.Provider, receipt.ProviderMessageId, now = clock.GetCurrentInstant() },
            cancellationToken);

    /// <summary>A failed attempt: back to <c>scheduled</c> (a retry follows, or the dead-letter filter takes it), as an <c>attempt_failed</c> event.</summary>
    public Task<bool> RecordFailureAsync(long id, string error, string detail, CancellationToken cancellationToken) =>
        TransitionAsync(id, new StatusChange(MessageStatus.Scheduled, MessageStatus.InFlight, "attempt_failed", detail)
        {
            Error = error, FailedAttempt = true,
        }, null, cancellationToken);

    /// <summary>Skipped for a reason (opted out, daily limit, …), unless already past sending.</summary>
    public Task<bool> SkipAsync(long id, string reason, CancellationToken cancellationToken) =>
        TransitionAsync(id, new StatusChange(MessageStatus.Skipped, MessageStatus.Sendable, "skipped", reason)
        {
            SkipReason = reason,
        }, null, cancellationToken);

    /// <summary>Moved to a later time (business hours), still scheduled.</summary>
    public Task<bool> DeferAsync(long id, Instant until, string why, CancellationToken cancellationToken) =>
        TransitionAsync(id, new StatusChange(MessageStatus.Scheduled, MessageStatus.Deferrable, "deferred", why)
        {
            ScheduledFor = until,
        }, null, cancellationToken);

    /// <summary>Applies an edit while the message has not gone out, recording the old values and who.</summary>
    public async Task<bool> EditAsync(long id, MessageEdit edit, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<(string Recipient, string? Subject, string Body)>(new CommandDefinition("""
            with old as (
                select id, recipient, subject, body from messages
                where id = @id and status = any(@editable) for update
            ), changed as (
                update messages m set recipient = coalesce(@recipient, m.recipient), subject = coalesce(@subject, m.subject),
                    body = coalesce(@body, m.body), updated_at = @now
                from old where m.id = old.id
                returning old.recipient, old.subject, old.body
            )
            select recipient, subject, body from changed
            """, new { id, editable = MessageStatus.Editable.ToArray(), recipient = edit.Recipient, subject = edit.Subject, body = edit.Body, now = clock.GetCurrentInstant() },
            cancellationToken: cancellationToken));
        if (before.Body is null)
        {
            return false;
        }

        await AddEventAsync(id, "edited",
            $"by {actor}; before: to={before.Recipient}, subject={before.Subject}, body={before.Body}", cancellationToken);
        return true;
    }

    /// <summary>
    /// Records that <paramref name="provider"/> failed without sending and the next one was tried: the
    /// provider in its own column (the dashboard counts failovers per provider), the error in the detail.
    /// </summary>
    public Task AddFailoverAsync(long id, string provider, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            insert into message_events (message_id, at, event, provider, detail) values (@id, @now, 'failover', @provider, @detail)
            """, new { id, provider, detail = $"{provider}: {error}", now = clock.GetCurrentInstant() }, cancellationToken);

    /// <summary>
    /// Records that an attempt at <paramref name="provider"/> may have reached it (a timeout after the request
    /// went out, a dropped connection, a 5xx): the provider in its own column, so the next attempt knows whom to
    /// look at or wait for.
    /// </summary>
    public Task AddPossiblySentAsync(long id, string provider, string detail, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            insert into message_events (message_id, at, event, provider, detail) values (@id, @now, 'possibly_sent', @provider, @detail)
            """, new { id, provider, detail, now = clock.GetCurrentInstant() }, cancellationToken);

    private async Task<int> ExecuteAsync(string sql, object args, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: cancellationToken));
    }
}
