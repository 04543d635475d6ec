using Dapper;
using Npgsql;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Messages;

internal sealed partial class MessageStore
{
    private const string InsertManySql = """
        insert into messages (client_id, call_id, kind, channel, marketing, recipient, subject, body, scheduled_for,
                              status, skip_reason, appointment_id, customer_phone, created_at, updated_at, trace_parent)
        select m.client_id, m.call_id, m.kind, m.channel, m.marketing, m.recipient, m.subject, m.body, m.scheduled_for,
               case when m.skip_reason is null then 'scheduled' else 'skipped' end, m.skip_reason,
               m.appointment_id, m.customer_phone, @now, @now, @traceParent
        from unnest(@clientIds, @callIds, @kinds, @channels, @marketing, @recipients, @subjects, @bodies, @scheduledFor,
                    @skipReasons, @appointmentIds, @customerPhones)
             with ordinality as m(client_id, call_id, kind, channel, marketing, recipient, subject, body, scheduled_for,
                                  skip_reason, appointment_id, customer_phone, n)
        order by m.n
        returning id
        """;

    /// <summary>
    /// Inserts <paramref name="messages"/> in one statement inside <paramref name="transaction"/>: scheduled,
    /// or skipped where a skip reason is given. Ids are returned in input order (identity values are
    /// drawn in insertion order, which follows the ordinality).
    /// </summary>
    public async Task<IReadOnlyList<long>> InsertManyAsync(IReadOnlyList<NewMessage> messages, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        var ids = await transaction.Connection!.QueryAsync<long>(new CommandDefinition(InsertManySql, new
        {
            // Whoever plans them (a webhook's request, an API call) is the trace their send jobs continue.
            traceParent = Telemetry.FollowUpTelemetry.CurrentTraceParent(),
            clientIds = messages.Select(m => m.ClientId).ToArray(),
            callIds = messages.Select(m => m.CallId).ToArray(),
            kinds = messages.Select(m => m.Kind).ToArray(),
            channels = messages.Select(m => m.Channel.Name).ToArray(),
            marketing = messages.Select(m => MessageKind.IsMarketing(m.Kind)).ToArray(),
            recipients = messages.Select(m => m.Recipient).ToArray(),
            subjects = messages.Select(m => m.Subject).ToArray(),
            bodies = messages.Select(m => m.Body).ToArray(),
            scheduledFor = messages.Select(m => m.ScheduledFor.ToDateTimeUtc()).ToArray(),
            skipReasons = messages.Select(m => m.SkipReason).ToArray(),
            appointmentIds = messages.Select(m => m.AppointmentId).ToArray(),
            customerPhones = messages.Select(m => m.CustomerPhone).ToArray(),
            now = clock.GetCurrentInstant(),
        }, transaction, cancellationToken: cancellationToken));
        return ids.AsList();
    }

    // The pending reminders of an appointment and nurture of a customer, with the reason each gets;
    // served by messages_pending_appointment / messages_pending_customer.
    private const string PendingToCancelSql = """
        select id, appointment_id = @appointmentId and kind in ('reminder_24h', 'reminder_1h') as reminder from messages
        where client_id = @clientId
          and status = any(@pending)
          and ((appointment_id = @appointmentId and kind in ('reminder_24h', 'reminder_1h'))
            or (customer_phone = @customerPhone and kind in ('nurture_day1', 'nurture_day4')))
        """;

    /// <summary>
    /// Cancels the pending messages <paramref name="cancel"/> names: not gone out yet
    /// (<see cref="MessageStatus.Pending"/>: scheduled, or dead-lettered and waiting for a requeue). Returns
    /// their job ids, for the caller to delete after the commit. A message already <c>sending</c> is left
    /// alone: it is too late, and the send job's checkpoint decides.
    /// </summary>
    public async Task<IReadOnlyList<(long Id, long? JobId)>> CancelPendingAsync(PendingCancellation cancel, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var found = (await transaction.Connection!.QueryAsync<(long Id, bool Reminder)>(new CommandDefinition(PendingToCancelSql, new
        {
            cancel.ClientId, appointmentId = cancel.RemindersOfAppointment, customerPhone = cancel.NurtureOfCustomer,
            pending = MessageStatus.Pending.ToArray(),
        }, transaction, cancellationToken: cancellationToken))).AsList();
        var reminders = await TransitionAsync(found.Where(f => f.Reminder).Select(f => f.Id).ToList(),
            Cancelling(cancel.RemindersReason ?? "cancelled"), transaction, cancellationToken);
        var nurture = await TransitionAsync(found.Where(f => !f.Reminder).Select(f => f.Id).ToList(),
            Cancelling(cancel.NurtureReason ?? "cancelled"), transaction, cancellationToken);
        return [.. reminders, .. nurture];
    }

    /// <summary>
    /// One message to <c>cancelled</c> if it has not gone out (<see cref="MessageStatus.Pending"/>).
    /// Returns whether it changed, and its job id.
    /// </summary>
    public async Task<(bool Cancelled, long? JobId)> CancelAsync(long id, string reason, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        var rows = await TransitionAsync([id], Cancelling(reason), transaction, cancellationToken);
        return rows.Count == 1 ? (true, rows[0].JobId) : (false, null);
    }

    /// <summary>The pending message of a job that was just cancelled or deleted follows it to <c>cancelled</c>; whether one did.</summary>
    public async Task<bool> CancelForJobAsync(long jobId, string reason, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        const string OwnedSql = "select id from messages where job_id = @jobId";
        var ids = transaction is not null
            ? (await transaction.Connection!.QueryAsync<long>(new CommandDefinition(OwnedSql, new { jobId }, transaction,
                cancellationToken: cancellationToken))).AsList()
            : await OwnedAsync();
        return (await TransitionAsync(ids, Cancelling(reason) with { ExpectedJobId = jobId }, transaction, cancellationToken)).Count > 0;

        async Task<List<long>> OwnedAsync()
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return (await connection.QueryAsync<long>(new CommandDefinition(OwnedSql, new { jobId }, cancellationToken: cancellationToken))).AsList();
        }
    }

    private static StatusChange Cancelling(string reason) =>
        new(MessageStatus.Cancelled, MessageStatus.Pending, "cancelled", reason) { SkipReason = reason };
}
