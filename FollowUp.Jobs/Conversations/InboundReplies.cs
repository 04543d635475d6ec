using Dapper;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Notifications;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Conversations;

/// <summary>
/// Takes in customers' SMS replies and acts on them, all in one transaction (the reply, what it did,
/// the business's notifications): a crash keeps all of it or none, and the provider's retry (same
/// MessageSid) is a no-op once it committed.
/// </summary>
/// <remarks>
/// <para>A reply is matched to its client by the number or Messaging Service it was sent to, and to the
/// latest message that went out to that phone from those clients (the message it answers; its client
/// decides when several share a number).</para>
/// <para>When it answers a booked appointment's confirmation or reminder (the appointment not begun,
/// not cancelled), the client's <see cref="ReplyKeywords"/> act: confirm marks the appointment
/// confirmed; cancel cancels its pending reminders, sends the cancellation acknowledgement and tells
/// the business; reschedule keeps the reminders and tells the business to call back. A cancel keyword
/// that is also a carrier opt-out word (CANCEL) is then an answer, not an opt-out. Otherwise STOP-words
/// opt out, START-words opt in, as carriers do. Any reply to nurture stops that customer's remaining
/// nurture. Every reply matched to a client is sent to its webhook as <c>reply.received</c>.</para>
/// </remarks>
public sealed class InboundReplies(NpgsqlDataSource dataSource, ClientStore clients, IMessageClient messages, IClock clock,
    ILogger<InboundReplies> logger)
{
    private const string InsertSql = """
        insert into inbound_sms (provider, provider_id, from_number, to_number, body, keyword, client_ids, received_at)
        values (@Provider, @ProviderId, @From, @To, @Body, @keyword, '{}', @now)
        on conflict (provider, provider_id) where provider_id is not null do nothing
        returning id
        """;

    // The message a reply answers: the latest that went out to this phone from one of the clients.
    private const string AnsweredSql = """
        select id, client_id, kind, call_id, appointment_id from messages
        where channel = 'sms' and recipient = @from and client_id = any(@clients) and sent_at is not null
        order by sent_at desc, id desc limit 1
        """;

    // The appointment as its latest call describes it (a later call may have moved or cancelled it).
    private const string AppointmentSql = """
        select c.call_id, c.outcome, c.customer_name, c.appointment_starts_at, c.appointment_service,
               (select r.status from appointment_replies r where r.client_id = c.client_id and r.appointment_id = c.appointment_id) as reply_status
        from calls c where c.client_id = @clientId and c.appointment_id = @appointmentId
        order by c.occurred_at desc limit 1
        """;

    private const string AnswerSql = """
        insert into appointment_replies (client_id, appointment_id, status, inbound_sms_id, at)
        values (@clientId, @appointmentId, @status, @inboundId, @now)
        on conflict (client_id, appointment_id) do update
            set status = excluded.status, inbound_sms_id = excluded.inbound_sms_id, at = excluded.at
        """;

    /// <summary>Records and acts on <paramref name="sms"/>; see the type's remarks.</summary>
    public async Task<InboundOutcome> ReceiveAsync(InboundSms sms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sms);
        var now = clock.GetCurrentInstant();
        var keyword = InboundKeywords.Classify(sms.Body);
        var planned = new PlannedMessages([], []);
        var cancelled = CancelledMessages.None;
        InboundOutcome outcome;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(InsertSql,
                new { sms.Provider, sms.ProviderId, sms.From, sms.To, sms.Body, keyword = keyword.ToString().ToLowerInvariant(), now }, tx,
                cancellationToken: cancellationToken));
            if (id is not { } inboundId)
            {
                // Checkpoint: the provider's retry of a reply already taken; acting again would act twice.
                return new InboundOutcome(null, null, null, "none", Duplicate: true);
            }

            var candidates = await Suppressions.ClientsSendingFromAsync(connection, tx, sms.To, sms.DefaultFrom, sms.ViaDefaultService,
                cancellationToken);
            var answered = await connection.QuerySingleOrDefaultAsync<Answered>(new CommandDefinition(AnsweredSql,
                new { from = sms.From, clients = candidates.ToArray() }, tx, cancellationToken: cancellationToken));
            var clientId = answered?.ClientId ?? (candidates.Count == 1 ? candidates[0] : null);
            var action = "none";
            string? helpReply = null;

            if (clientId is not null && answered is { AppointmentId: { } appointmentId, CallId: not null }
                && answered.Kind is MessageKind.Confirmation or MessageKind.Reminder24h or MessageKind.Reminder1h)
            {
                var client = await clients.FindAsync(clientId, tx, cancellationToken)
                    ?? throw new InvalidOperationException($"Client '{clientId}' no longer exists.");
                var appointment = await connection.QuerySingleOrDefaultAsync<AppointmentRow>(new CommandDefinition(AppointmentSql,
                    new { clientId, appointmentId }, tx, cancellationToken: cancellationToken));
                var intent = (client.ReplyKeywords ?? ReplyKeywords.Default).Match(sms.Body);
                if (intent is { } asked && appointment is { AppointmentStartsAt: { } starts } && starts > now
                    && appointment.Outcome != CallOutcome.Cancelled && appointment.ReplyStatus != "cancelled_by_customer")
                {
                    var context = new AppointmentContext(clientId, appointmentId, appointment, sms, inboundId, now);
                    (action, planned, cancelled) = await AnswerAsync(asked, client, context, tx, cancellationToken);
                }
            }

            if (keyword == InboundKeyword.Stop && action != "cancelled")
            {
                await Suppressions.SuppressAsync(connection, tx, candidates, Channel.Sms, sms.From, $"replied {sms.Body.Trim().ToUpperInvariant()}", now,
                    cancellationToken);
                action = "opted_out";
            }
            else if (keyword == InboundKeyword.Start)
            {
                await Suppressions.LiftAsync(connection, tx, candidates, Channel.Sms, sms.From, now, cancellationToken);
                action = action == "none" ? "opted_in" : action;
            }
            else if (keyword == InboundKeyword.Help && action == "none")
            {
                action = "help";
                // Only when the reply is known to be one client's: on a number several clients share,
                // answering with one business's text would speak for another.
                if (clientId is not null)
                {
                    helpReply = (await clients.FindAsync(clientId, tx, cancellationToken))?.HelpText;
                }
            }

            if (clientId is not null && answered?.Kind is MessageKind.NurtureDay1 or MessageKind.NurtureDay4)
            {
                // A person engaged: the rest of the nurture would talk over them; staff take over.
                var stopped = await messages.CancelPendingAsync(new PendingCancellation(clientId)
                {
                    NurtureOfCustomer = sms.From,
                    NurtureReason = SkipReasons.CustomerReplied,
                }, tx, cancellationToken);
                cancelled = new CancelledMessages([.. cancelled.Ids, .. stopped.Ids], [.. cancelled.JobIds, .. stopped.JobIds]);
                action = action == "none" ? "nurture_stopped" : action;
            }

            await connection.ExecuteAsync(new CommandDefinition("""
                update inbound_sms set client_id = @clientId, client_ids = @candidates, message_id = @messageId, action = @action
                where id = @inboundId
                """, new { clientId, candidates = candidates.ToArray(), messageId = answered?.Id, action, inboundId }, tx,
                cancellationToken: cancellationToken));
            if (clientId is not null)
            {
                await NotificationOutbox.AddAsync(tx, clientId, NotificationTypes.ReplyReceived, new
                {
                    reply_id = inboundId,
                    from = sms.From,
                    to = sms.To,
                    body = sms.Body,
                    received_at = now,
                    action,
                    answers = answered is null ? null : new { message_id = answered.Id, kind = answered.Kind, call_id = answered.CallId, appointment_id = answered.AppointmentId },
                }, now, cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
            outcome = new InboundOutcome(inboundId, clientId, answered?.Id, action, Reply: helpReply);
        }

        // Checkpoint: the reply and all it did are committed. The acknowledgement's job (created by the
        // dispatcher, woken now; Twilio is answered without waiting for it) and the cancelled reminders'
        // job deletions follow; a crash here leaves them to the dispatcher's poll and to the send jobs'
        // own checkpoint (a cancelled message is never sent).
        messages.RequestDispatch(planned);
        await messages.DeleteJobsAsync(cancelled, "customer", cancellationToken);
        logger.LogInformation("Inbound SMS {InboundId} for client {ClientId}: {Action}", outcome.Id, outcome.ClientId ?? "(unmatched)", outcome.Action);
        return outcome;
    }

    /// <summary>
    /// Staff answer a customer from the conversation: a transactional SMS (<see cref="MessageKind.Reply"/>)
    /// through the normal pipeline (opt-out and checks at send time, retry, dead letters). Returns its message id.
    /// </summary>
    public async Task<long> ReplyAsync(string clientId, string phone, string body, CancellationToken cancellationToken)
    {
        long id;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            id = await messages.PlanAsync(new NewMessage(clientId, MessageKind.Reply, Channel.Sms, phone, null, body, clock.GetCurrentInstant())
            {
                CustomerPhone = phone,
            }, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        await messages.DispatchAsync(new PlannedMessages([id], [id]), cancellationToken);
        return id;
    }

    private async Task<(string Action, PlannedMessages Planned, CancelledMessages Cancelled)> AnswerAsync(ReplyIntent intent, ClientSettings client,
        AppointmentContext a, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        // The appointment's status, the reply's action, and the event the business gets.
        var (status, action, type) = intent switch
        {
            ReplyIntent.Confirm => ("confirmed", "confirmed", NotificationTypes.AppointmentConfirmed),
            ReplyIntent.Cancel => ("cancelled_by_customer", "cancelled", NotificationTypes.AppointmentCancelledByCustomer),
            _ => ("reschedule_requested", "reschedule_requested", NotificationTypes.AppointmentRescheduleRequested),
        };
        await tx.Connection!.ExecuteAsync(new CommandDefinition(AnswerSql,
            new { a.ClientId, a.AppointmentId, status, a.InboundId, a.Now }, tx, cancellationToken: cancellationToken));
        await NotificationOutbox.AddAsync(tx, a.ClientId, type, new
        {
            appointment_id = a.AppointmentId,
            call_id = a.Appointment.CallId,
            starts_at = a.Appointment.AppointmentStartsAt,
            service = a.Appointment.AppointmentService,
            customer = new { name = a.Appointment.CustomerName, phone = a.Sms.From },
            reply_id = a.InboundId,
            reply = a.Sms.Body,
        }, a.Now, cancellationToken);

        if (intent != ReplyIntent.Cancel)
        {
            return (action, new PlannedMessages([], []), CancelledMessages.None);
        }

        var cancelled = await messages.CancelPendingAsync(new PendingCancellation(a.ClientId)
        {
            RemindersOfAppointment = a.AppointmentId,
            RemindersReason = SkipReasons.CancelledByCustomer,
        }, tx, cancellationToken);
        var settings = client.FollowUps.GetValueOrDefault(MessageKind.Cancellation) ?? new FollowUpSettings();
        if (!settings.Enabled)
        {
            return (action, new PlannedMessages([], []), cancelled);
        }

        // The acknowledgement is the client's cancellation message, by SMS, the channel the customer used.
        var zone = BusinessHours.Of(client).Zone;
        var values = Planner.Values(client, zone, a.Appointment.CustomerName, a.Appointment.AppointmentStartsAt, a.Appointment.AppointmentService);
        var body = MessageTemplate.RenderSms(settings.Sms ?? DefaultTemplates.Sms(MessageKind.Cancellation), MessageKind.Cancellation, values);
        var planned = await messages.PlanManyAsync(
        [
            new NewMessage(a.ClientId, MessageKind.Cancellation, Channel.Sms, a.Sms.From, null, body, a.Now, a.Appointment.CallId)
            {
                AppointmentId = a.AppointmentId,
                CustomerPhone = a.Sms.From,
            },
        ], tx, cancellationToken);
        return (action, planned, cancelled);
    }

    private sealed record Answered(long Id, string ClientId, string Kind, string? CallId, string? AppointmentId);

    private sealed record AppointmentRow(string CallId, string Outcome, string? CustomerName, Instant? AppointmentStartsAt,
        string? AppointmentService, string? ReplyStatus);

    private sealed record AppointmentContext(string ClientId, string AppointmentId, AppointmentRow Appointment, InboundSms Sms, long InboundId, Instant Now);
}
