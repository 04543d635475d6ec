using Dapper;
using Npgsql;
using NodaTime;
using FollowUp.Jobs.Contracts;

namespace FollowUp.Jobs.Calls;

public sealed partial class CallIntake
{
    private const string EntryColumns = """
        id, source, client_id, event_id, call_id, outcome, status, attempts, error, received_at, processed_at
        """;

    // A retry of an event finds the existing row instead of inserting one. Under concurrency the
    // conflicting row can be committed after this statement's snapshot, so that neither branch
    // returns a row; JournalAsync then runs it again.
    private const string JournalSql = """
        with inserted as (
            insert into inbound_webhooks (source, client_id, event_id, call_id, outcome, raw_body, status, received_at)
            values (@source, @clientId, @eventId, @callId, @outcome, @rawBody, 'received', @now)
            on conflict (client_id, event_id) do nothing
            returning id, status, raw_body, response::text as response, true as created
        )
        select id, status, raw_body, response, created from inserted
        union all
        select id, status, raw_body, response::text, false from inbound_webhooks
        where client_id = @clientId and event_id = @eventId and not exists (select 1 from inserted)
        """;

    // The call row and the journal's "processed" with the answer, in one statement. jsonb normalises
    // whitespace and key order, so the answer is given as stored: a retry gets the very same text.
    private const string CompleteSql = """
        with call as (
        insert into calls (client_id, call_id, outcome, occurred_at, customer_name, customer_phone, customer_email,
                           appointment_id, appointment_starts_at, appointment_service, summary, intent, notes, webhook_id,
                           created_at, updated_at)
        values (@clientId, @callId, @outcome, @occurredAt, @name, @phone, @email, @appointmentId, @startsAt, @service,
                @summary, @intent, @notes, @webhookId, @now, @now)
        on conflict (client_id, call_id) do update set
            outcome = excluded.outcome, occurred_at = excluded.occurred_at, customer_name = excluded.customer_name,
            customer_phone = excluded.customer_phone, customer_email = excluded.customer_email,
            appointment_id = excluded.appointment_id, appointment_starts_at = excluded.appointment_starts_at,
            appointment_service = excluded.appointment_service, summary = excluded.summary, intent = excluded.intent,
            notes = excluded.notes, webhook_id = excluded.webhook_id, updated_at = excluded.updated_at
        )
        update inbound_webhooks set status = 'processed', attempts = attempts + 1, error = null, next_attempt_at = null, response = @answer::jsonb,
            processed_at = @now
        where id = @webhookId
        returning response::text
        """;

    private async Task<JournalEntry> JournalAsync(string source, CallEvent call, string rawBody, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var args = new
        {
            source, clientId = call.ClientId, eventId = call.EventId, callId = call.CallId, outcome = call.Outcome, rawBody,
            now = clock.GetCurrentInstant(),
        };
        for (var attempt = 0; ; attempt++)
        {
            var entry = await connection.QuerySingleOrDefaultAsync<JournalEntry>(new CommandDefinition(JournalSql, args,
                cancellationToken: cancellationToken));
            if (entry is not null || attempt == 2)
            {
                return entry ?? throw new InvalidOperationException($"Could not journal event '{call.EventId}'.");
            }
        }
    }

    private async Task<string> CompleteAsync(long webhookId, Call call, string answer, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        (await tx.Connection!.ExecuteScalarAsync<string>(new CommandDefinition(CompleteSql, new
        {
            clientId = call.ClientId, callId = call.CallId, outcome = call.Outcome, occurredAt = call.OccurredAt,
            name = call.Customer.Name, phone = call.Customer.Phone, email = call.Customer.Email,
            appointmentId = call.Appointment?.Id,
            startsAt = call.Appointment?.StartsAt,
            service = call.Appointment?.Service, summary = call.Summary, intent = call.Intent, notes = call.Notes, webhookId, answer, now = clock.GetCurrentInstant(),
        }, tx, cancellationToken: cancellationToken)))!;

    private sealed record JournalEntry(long Id, string Status, string RawBody, string? Response, bool Created);

    private sealed class JournalRow
    {
        public long Id { get; set; }

        public string Source { get; set; } = "";

        public string ClientId { get; set; } = "";

        public string RawBody { get; set; } = "";

        public string Status { get; set; } = "";

        public string? Response { get; set; }

        public Instant ReceivedAt { get; set; }
    }
}
