using System.Text.Json;
using Dapper;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Contracts;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Storage;
using FollowUp.Jobs.Templates;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Takes in call webhooks: journals the raw body first (its own commit), then processes it (plan,
/// cancellations, messages, jobs, the call row, the answer) in one transaction.
/// </summary>
/// <remarks>
/// Guarantees. A journaled webhook is never lost: if processing fails or the process dies, the entry
/// stays <c>received</c> or <c>failed</c>, and a replay (API, dashboard, the telephony platform's own
/// retry, or <see cref="ReplayStalledWebhooksJob"/>'s sweep of stalled entries) processes it. It is never processed
/// twice: processing locks its journal row and commits <c>processed</c> with everything it wrote, so a
/// concurrent or later attempt finds it done and returns the stored answer.
/// </remarks>
public sealed partial class CallIntake(NpgsqlDataSource dataSource, ClientStore clients, IMessageClient messages,
    IClock clock, ILogger<CallIntake> logger, Microsoft.Extensions.Options.IOptions<Copy.AiOptions> ai, Telemetry.FollowUpMetrics? metrics = null)
{
    /// <summary>
    /// Journals and processes a validated call event. <paramref name="rawBody"/> is what arrived (for a
    /// platform, its own payload); it is kept, and read again by <paramref name="source"/> on a replay.
    /// <paramref name="client"/>, when the caller has just read it (to verify the signature), saves
    /// reading it again; a replay reads it afresh.
    /// </summary>
    public async Task<IntakeResult> AcceptAsync(string source, CallEvent call, string rawBody, ClientSettings? client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        // The span the call's messages are planned in: their send jobs, hours or days later, continue it.
        using var activity = Telemetry.FollowUpTelemetry.Source.StartActivity("intake " + source);
        activity?.SetTag(Telemetry.FollowUpTelemetry.ClientId, call.ClientId);
        activity?.SetTag("followup.call.outcome", call.Outcome);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await AcceptJournaledAsync(source, call, rawBody, client, cancellationToken);
        metrics?.Intake(source, result.Status.ToString().ToLowerInvariant(), System.Diagnostics.Stopwatch.GetElapsedTime(started));
        activity?.SetTag("followup.outcome", result.Status.ToString().ToLowerInvariant());
        return result;
    }

    private async Task<IntakeResult> AcceptJournaledAsync(string source, CallEvent call, string rawBody, ClientSettings? client,
        CancellationToken cancellationToken)
    {
        var entry = await JournalAsync(source, call, rawBody, cancellationToken);
        if (!entry.Created && source == CallSource.FollowUp && !string.Equals(entry.RawBody, rawBody, StringComparison.Ordinal))
        {
            // Platform adapters derive event ids from the call, so for them a new body is a re-delivery.
            return new IntakeResult(IntakeStatus.Conflict, entry.Id,
                Error: $"event_id '{call.EventId}' was received before with a different body (webhook {entry.Id}).");
        }

        if (entry.Status == "processed")
        {
            return new IntakeResult(IntakeStatus.Duplicate, entry.Id, entry.Response);
        }

        // Checkpoint: the raw body is committed; from here a crash loses nothing, only delays it.
        // The event was parsed and validated from this very body just now, so processing need not read
        // it back; a row that existed before (a retry of an unprocessed event) is read as journaled.
        return await ProcessAsync(entry.Id, entry.Created ? call : null, client, cancellationToken);
    }

    /// <summary>Processes a journaled webhook that is <c>received</c> or <c>failed</c>; a processed one returns its answer as a duplicate.</summary>
    public Task<IntakeResult> ReplayAsync(long webhookId, CancellationToken cancellationToken) => ProcessAsync(webhookId, null, null, cancellationToken);

    /// <summary>The journal entry, or null.</summary>
    public async Task<WebhookEntry?> FindAsync(long webhookId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WebhookEntry>(new CommandDefinition(
            $"select {EntryColumns} from inbound_webhooks where id = @webhookId", new { webhookId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Journal entries newest first, optionally of one status, <paramref name="limit"/> a page before
    /// <paramref name="beforeId"/>; with their raw bodies when <paramref name="includeBody"/>. Ids are drawn
    /// in arrival order, so the primary key serves "all", and a status filter walks it backwards, which
    /// stays short because processed entries are the bulk and failed ones are looked at soon.
    /// </summary>
    public async Task<IReadOnlyList<WebhookEntry>> ListAsync(string? status, long? beforeId, int limit, bool includeBody,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookEntry>(new CommandDefinition($"""
            select {EntryColumns}, case when @includeBody then raw_body end as raw_body from inbound_webhooks
            where (@status::text is null or status = @status) and (@beforeId::bigint is null or id < @beforeId)
            order by id desc limit @limit
            """, new { status, beforeId, limit, includeBody }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Failed processing is retried by the sweep this many times in all (the first attempt included), then left to a person.</summary>
    public const int MaxAttempts = 6;

    /// <summary>
    /// Replays entries left <c>received</c> for longer than <paramref name="olderThan"/> (the process that
    /// journaled them died before processing, and the platform did not retry), and <c>failed</c> ones whose
    /// backoff is over (a database fault while processing: 1, 2, 4, 8, 16 minutes after each failure).
    /// Returns how many were processed.
    /// </summary>
    public async Task<int> ReplayStalledAsync(Duration olderThan, CancellationToken cancellationToken)
    {
        IReadOnlyList<long> ids;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            ids = (await connection.QueryAsync<long>(new CommandDefinition("""
                (select id from inbound_webhooks where status = 'received' and received_at < @before order by received_at, id limit 100)
                union all
                (select id from inbound_webhooks where status = 'failed' and next_attempt_at <= @now order by next_attempt_at limit 100)
                """, new { before = clock.GetCurrentInstant() - olderThan, now = clock.GetCurrentInstant() },
                cancellationToken: cancellationToken))).AsList();
        }

        var processed = 0;
        foreach (var id in ids)
        {
            if ((await ProcessAsync(id, null, null, cancellationToken)).Status == IntakeStatus.Accepted)
            {
                processed++;
            }
        }

        return processed;
    }

    /// <summary>Reads a journaled body again as the call event it was accepted as.</summary>
    public static CallEvent? Read(string source, string clientId, string rawBody, Instant receivedAt) => source switch
    {
        CallSource.FollowUp or CallSource.Api => JsonSerializer.Deserialize<CallEvent>(rawBody, FollowUpJson.Options),
        CallSource.Retell => RetellCallEvents.Map(clientId, rawBody),
        CallSource.TwilioVoice => TwilioVoiceCallEvents.Map(clientId, Channels.Sms.TwilioForm.Parse(rawBody), receivedAt),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown call source."),
    };

    // call: the event as just accepted from the journaled body, or null to read the body back.
    // client: the client as just read, or null to read it inside the transaction.
    private async Task<IntakeResult> ProcessAsync(long webhookId, CallEvent? call, ClientSettings? client, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<JournalRow>(new CommandDefinition("""
                select id, source, client_id, case when @readBody then raw_body else '' end as raw_body, status,
                       response::text as response, received_at
                from inbound_webhooks where id = @webhookId for update
                """, new { webhookId, readBody = call is null }, tx, cancellationToken: cancellationToken));
            if (row is null)
            {
                return new IntakeResult(IntakeStatus.NotFound, webhookId);
            }

            if (row.Status == "processed")
            {
                return new IntakeResult(IntakeStatus.Duplicate, webhookId, row.Response);
            }

            // Parsed once, here: the plan and the call row read its instants, never the wire's strings.
            var parsed = Call.From(call ?? ReadValidated(row));
            var (answer, planned, cancelled) = await PlanAsync(row.ClientId, parsed, client, tx, cancellationToken);
            var stored = await CompleteAsync(row.Id, parsed, JsonSerializer.Serialize(answer, FollowUpJson.Options), tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);

            // Checkpoint: the plan is committed, and the caller is answered now: this process's dispatcher
            // creates the jobs at once, batched with other commits' (if this process dies first, any
            // node's dispatcher does on its next poll). A cancelled message's job finds it cancelled.
            messages.RequestDispatch(planned);
            await messages.DeleteJobsAsync(cancelled, "planner", cancellationToken);

            return new IntakeResult(IntakeStatus.Accepted, webhookId, stored);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Processing call webhook {WebhookId} failed; it is journaled and can be replayed", webhookId);
            var error = $"{ex.GetType().Name}: {ex.Message}";
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            // A database fault (connection lost, disk full, a deadlock) may pass: the sweep retries it with
            // backoff. Anything else (the body no longer validates, a bug) waits for a person.
            var transient = ex is System.Data.Common.DbException or TimeoutException;
            await connection.ExecuteAsync(new CommandDefinition("""
                update inbound_webhooks set status = 'failed', attempts = attempts + 1, error = @error,
                    next_attempt_at = case when @transient and attempts + 1 < @maxAttempts
                                           then @now + make_interval(mins => least(power(2, attempts)::int, 60)) end
                where id = @webhookId and status <> 'processed'
                """, new { webhookId, error, transient, maxAttempts = MaxAttempts, now = clock.GetCurrentInstant() },
                cancellationToken: CancellationToken.None));
            return new IntakeResult(IntakeStatus.Failed, webhookId, Error: error);
        }
    }

    // Toll fraud: a flood of spoofed missed calls sends at most the client's text_back_hourly_limit texts in
    // any 60 minutes; the rest are recorded skipped. The lock serialises one client's count and insert, so two
    // webhooks at once cannot both take the last one.
    private static async Task<FollowUpPlan> CapTextBacksAsync(string clientId, ClientSettings client, FollowUpPlan plan, Instant now,
        NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        if (!plan.Messages.Any(IsTextBack))
        {
            return plan;
        }

        await tx.Connection!.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(hashtextextended('text-back:' || @clientId, 0))",
            new { clientId }, tx, cancellationToken: cancellationToken));
        var sent = await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition("""
            select count(*) from messages
            where client_id = @clientId and kind = @kind and channel = 'sms' and status <> 'skipped' and created_at > @since
            """, new { clientId, kind = MessageKind.MissedCall, since = now - Duration.FromHours(1) }, tx, cancellationToken: cancellationToken));
        return sent < client.TextBackHourlyLimit
            ? plan
            : plan with { Messages = plan.Messages.Select(m => IsTextBack(m) ? m with { SkipReason = SkipReasons.TextBackHourlyLimit } : m).ToArray() };

        static bool IsTextBack(PlannedMessage m) => m.Kind == MessageKind.MissedCall && m.Channel == Channels.Channel.Sms && m.SkipReason is null;
    }

    private static bool IsRewritten(AiCopySettings copy, PlannedMessage m) =>
        copy.Covers(m.Kind) && (m.Channel == Channels.Channel.Sms || copy.Email);

    private static CallEvent ReadValidated(JournalRow row)
    {
        var call = Read(row.Source, row.ClientId, row.RawBody, row.ReceivedAt)
            ?? throw new InvalidOperationException("The journaled body no longer describes a follow-up.");
        var validation = new CallEventValidator().Validate(call);
        return validation.IsValid
            ? call
            : throw new InvalidOperationException("The journaled body is not a valid call event: " +
                string.Join("; ", validation.Errors.Select(e => $"{e.PropertyName} {e.ErrorMessage}")));
    }

    private async Task<(IntakeAnswer Answer, PlannedMessages Planned, CancelledMessages Cancelled)> PlanAsync(string clientId, Call call, ClientSettings? client,
        NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        client ??= await clients.FindAsync(clientId, tx, cancellationToken)
            ?? throw new InvalidOperationException($"Client '{clientId}' no longer exists.");
        var now = clock.GetCurrentInstant();
        var plan = await CapTextBacksAsync(clientId, client, Planner.Plan(call, client, now), now, tx, cancellationToken);
        var copy = ai.Value.Configured && client.AiCopy is { Enabled: true } ? client.AiCopy : null;
        if (copy is { MaxWaitMs: > 0 })
        {
            // A message due now (a confirmation) that the client lets wait for its rewrite is planned that much later;
            // with no wait allowed (the default) it goes at once with its template.
            var wait = Duration.FromMilliseconds(copy.MaxWaitMs);
            plan = plan with
            {
                Messages = plan.Messages.Select(m => m.SkipReason is null && m.ScheduledFor <= now && IsRewritten(copy, m)
                    ? m with { ScheduledFor = now + wait } : m).ToArray(),
            };
        }

        var cancelled = await messages.CancelPendingAsync(new PendingCancellation(clientId)
        {
            RemindersOfAppointment = plan.CancelRemindersOf,
            RemindersReason = plan.CancelRemindersReason,
            NurtureOfCustomer = plan.CancelNurture ? call.Customer.Phone : null,
            NurtureReason = SkipReasons.BookedSince,
        }, tx, cancellationToken);

        if (plan.CancelRemindersOf is { } appointmentId)
        {
            // A new plan for the appointment (booked again, moved, cancelled by the business) asks afresh:
            // the customer's earlier answer was about the old one.
            await tx.Connection!.ExecuteAsync(new CommandDefinition(
                "delete from appointment_replies where client_id = @clientId and appointment_id = @appointmentId",
                new { clientId, appointmentId }, tx, cancellationToken: cancellationToken));
        }

        var planned = plan.Messages.Select(m => new NewMessage(clientId, m.Kind, m.Channel, m.Recipient, m.Subject, m.Body,
            m.ScheduledFor, call.CallId)
        {
            SkipReason = m.SkipReason,
            AppointmentId = call.Appointment?.Id,
            CustomerPhone = call.Customer.Phone,
        }).ToArray();
        var result = await messages.PlanManyAsync(planned, tx, cancellationToken);
        var ids = result.Ids;
        if (copy is not null && plan.Messages.Any(m => m.SkipReason is null && IsRewritten(copy, m)))
        {
            // Committed with the plan; its job, made by the outbox after the commit, rewrites what is still waiting.
            await Copy.CopyStore.InsertRequestAsync(clientId, call.CallId, now, tx, cancellationToken);
        }

        var answer = new IntakeAnswer(call.CallId, plan.Messages.Select((m, i) => new IntakeAnswerMessage(ids[i], m.Kind, m.Channel,
            m.ScheduledFor, m.SkipReason is null ? MessageStatus.Scheduled : MessageStatus.Skipped) { SkipReason = m.SkipReason }).ToArray())
        {
            CancelledMessageIds = cancelled.Ids,
        };
        return (answer, result, cancelled);
    }
}
