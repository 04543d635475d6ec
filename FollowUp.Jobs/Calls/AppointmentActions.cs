using System.Text.Json;
using Dapper;
using FollowUp.Jobs.Contracts;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Storage;
using Npgsql;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Appointments read and changed without a call (a booking system or calendar sync over the API).
/// A cancel or a move is turned into the call event a phone call with that outcome would have posted
/// (<c>cancelled</c> / <c>rescheduled</c>, the customer as the latest call knew them) and handed to
/// <see cref="CallIntake"/> under its own source, <c>api</c>: journaled first, then planned by the same
/// <see cref="Planner"/> in one transaction (cancellation message, reminders cancelled or re-planned,
/// nurture stopped), so there is one logic for an appointment's plan, and a crash after the journal
/// loses nothing (the stalled-webhook sweep replays it).
/// </summary>
/// <remarks>
/// Whether a reminder still goes is decided where it always is, by the send job's checks before each
/// attempt (the message is cancelled, or not); these actions only change what is planned.
/// </remarks>
public sealed class AppointmentActions(NpgsqlDataSource dataSource, CallIntake intake, IClock clock)
{
    // Advisory-lock namespace of appointment actions (the second key is the appointment's hash):
    // two cancels at once would otherwise both find the appointment on and send two cancellations.
    private const int LockNamespace = 0x41505054; // "APPT"

    private const string LatestCallSql = """
        select c.client_id, c.appointment_id, c.outcome as status, c.appointment_starts_at as starts_at,
               c.appointment_service as service, c.customer_name, c.customer_phone, c.customer_email, c.call_id,
               c.occurred_at as updated_at, r.status as customer_response, r.at as customer_response_at
        from calls c
        left join appointment_replies r on r.client_id = c.client_id and r.appointment_id = c.appointment_id
        where c.client_id = @clientId and c.appointment_id = @appointmentId and c.appointment_starts_at is not null
        order by c.occurred_at desc, c.updated_at desc limit 1
        """;

    // Served by messages_appointment (client_id, appointment_id, id).
    private const string MessagesSql = """
        select id, client_id, call_id, kind, channel, recipient, subject, body, scheduled_for, status, skip_reason,
               provider, provider_message_id, segments, cost, currency, error, job_id, sent_at, delivered_at, created_at,
               written_by, template_body, ai_model, ai_cost, ai_kept_reason
        from messages where client_id = @clientId and appointment_id = @appointmentId order by id
        """;

    /// <summary>The appointment and its messages, or null when no call of the client names it.</summary>
    public async Task<AppointmentView?> FindAsync(string clientId, string appointmentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, clientId, appointmentId, cancellationToken);
    }

    /// <summary>
    /// Cancels the appointment as a <c>cancelled</c> call would: a cancellation message now (skipped when
    /// the appointment has begun), its pending reminders cancelled.
    /// </summary>
    public Task<AppointmentChange> CancelAsync(string clientId, string appointmentId, CancellationToken cancellationToken) =>
        ChangeAsync(clientId, appointmentId, CallOutcome.Cancelled, null, cancellationToken);

    /// <summary>
    /// Moves the appointment as a <c>rescheduled</c> call would: pending reminders cancelled, a new
    /// confirmation and reminders for <paramref name="startsAt"/> (ISO 8601 with an offset, checked by the caller).
    /// </summary>
    public Task<AppointmentChange> RescheduleAsync(string clientId, string appointmentId, string startsAt, CancellationToken cancellationToken) =>
        ChangeAsync(clientId, appointmentId, CallOutcome.Rescheduled, startsAt, cancellationToken);

    private async Task<AppointmentChange> ChangeAsync(string clientId, string appointmentId, string outcome, string? startsAt,
        CancellationToken cancellationToken)
    {
        // A session lock on a connection of its own, held across the check and the intake's transaction.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var args = new { ns = LockNamespace, key = $"{clientId}/{appointmentId}" };
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@ns, hashtext(@key))", args,
            cancellationToken: cancellationToken));
        try
        {
            var before = await FindAsync(connection, clientId, appointmentId, cancellationToken);
            if (before is null)
            {
                return new AppointmentChange(AppointmentChangeStatus.NotFound);
            }

            if (before.Status == CallOutcome.Cancelled)
            {
                return new AppointmentChange(AppointmentChangeStatus.AlreadyCancelled, before);
            }

            var call = EventFor(before, outcome, startsAt ?? InstantPattern.ExtendedIso.Format(before.StartsAt));
            var validation = new CallEventValidator().Validate(call);
            if (!validation.IsValid)
            {
                throw new InvalidOperationException("The appointment's latest call no longer makes a valid call event: " +
                    string.Join("; ", validation.Errors.Select(e => $"{e.PropertyName} {e.ErrorMessage}")));
            }

            var rawBody = JsonSerializer.Serialize(call, FollowUpJson.Options);
            var result = await intake.AcceptAsync(CallSource.Api, call, rawBody, null, cancellationToken);
            return new AppointmentChange(result.Status == IntakeStatus.Accepted ? AppointmentChangeStatus.Done : AppointmentChangeStatus.Failed,
                before, result);
        }
        finally
        {
            // Pooled connections are not reset on close (see the data source): the lock is released here.
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@ns, hashtext(@key))", args,
                cancellationToken: CancellationToken.None));
        }
    }

    // The event a phone call with this outcome would have posted. Its id (also the call's id, so the
    // calls table records the action as the appointment's latest word) is new for every action: the
    // Idempotency-Key header, not the event id, is what makes a retried request safe.
    private CallEvent EventFor(AppointmentView appointment, string outcome, string startsAt)
    {
        var id = $"api-{Guid.NewGuid():N}";
        return new CallEvent
        {
            EventId = id,
            Event = "call_ended",
            ClientId = appointment.ClientId,
            CallId = id,
            OccurredAt = InstantPattern.ExtendedIso.Format(clock.GetCurrentInstant()),
            Outcome = outcome,
            Customer = new CallCustomer { Name = appointment.CustomerName, Phone = appointment.CustomerPhone, Email = appointment.CustomerEmail },
            Appointment = new CallAppointment { Id = appointment.AppointmentId, StartsAt = startsAt, Service = appointment.Service },
        };
    }

    private static async Task<AppointmentView?> FindAsync(NpgsqlConnection connection, string clientId, string appointmentId,
        CancellationToken cancellationToken)
    {
        var args = new { clientId, appointmentId };
        var view = await connection.QuerySingleOrDefaultAsync<AppointmentView>(new CommandDefinition(LatestCallSql, args,
            cancellationToken: cancellationToken));
        if (view is null)
        {
            return null;
        }

        var messages = await connection.QueryAsync<MessageInfo>(new CommandDefinition(MessagesSql, args, cancellationToken: cancellationToken));
        return view with { Messages = messages.AsList() };
    }
}
