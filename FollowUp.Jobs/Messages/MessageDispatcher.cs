using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Templates;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Gives every scheduled message its Hangfire job: the messages' outbox. Messages commit first (with the
/// caller's rows: a call's plan, a developer's transaction), without a job; then
/// <see cref="OutboxDispatcher"/> claims them, creates their jobs and writes the ids back in one
/// transaction, so a message and its job commit together. A rolled-back plan leaves neither.
/// </summary>
/// <remarks>
/// Who dispatches: <see cref="OutboxLoop"/> on every node, handed the ids by the committer and woken at once
/// (call intake, inbound replies: their callers are answered at the commit), and every
/// <c>DispatchPollMilliseconds</c> for messages more than a second old;
/// ad-hoc sends and <see cref="IMessageClient.DispatchAsync"/> dispatch their own ids before returning.
/// Rows are claimed <c>FOR UPDATE SKIP LOCKED</c>, so two dispatchers never both take a message.
/// </remarks>
internal sealed class MessageDispatcher(OutboxDispatcher outbox, OutboxSignal signal, IBackgroundJobClient jobs, IClock clock,
    ILogger<MessageDispatcher> logger, Telemetry.FollowUpMetrics metrics)
    : IOutbox<MessageDispatcher.Undispatched>, IOutboxDrain
{
    // Messages younger than this are left to the committer that may be dispatching them right now (an
    // ad-hoc send, a staff reply): taking their rows first would make its own dispatch skip them (SKIP
    // LOCKED), so its caller would not see the job id it expects. Those a committer hands over with
    // RequestDispatch are taken at once.
    private static readonly Duration Grace = Duration.FromSeconds(1);

    private readonly System.Collections.Concurrent.ConcurrentQueue<long> _requested = new();

    private const string Claim = """
        select id, channel, kind, recipient, scheduled_for, client_id, trace_parent from messages
        where job_id is null and status = 'scheduled' and (@ids::bigint[] is null or id = any(@ids))
          and (@createdBefore::timestamptz is null or created_at < @createdBefore)
        order by id
        limit @limit
        for update skip locked
        """;

    private const string Record = """
        update messages m set job_id = j.job_id, updated_at = @now
        from unnest(@ids, @jobIds) as j(id, job_id)
        where m.id = j.id
        """;

    string IOutbox<Undispatched>.ClaimSql => Claim;

    string IOutbox<Undispatched>.RecordSql => Record;

    string IOutboxDrain.Name => "messages";

    /// <summary>
    /// Creates, in one transaction, the jobs of <paramref name="ids"/> (or, when null, of any undispatched
    /// messages, at most <paramref name="limit"/>) that still have none. Returns how many were dispatched.
    /// </summary>
    public Task<int> DispatchAsync(IReadOnlyCollection<long>? ids, int limit, CancellationToken cancellationToken) =>
        DispatchAsync(ids, limit, null, cancellationToken);

    private Task<int> DispatchAsync(IReadOnlyCollection<long>? ids, int limit, Instant? createdBefore, CancellationToken cancellationToken) =>
        ids is { Count: 0 } ? Task.FromResult(0)
            : outbox.DispatchAsync(this, new { ids = ids?.ToArray(), limit, createdBefore = createdBefore?.ToDateTimeUtc() }, cancellationToken);

    /// <summary>
    /// The loop's pass: first the messages committers handed over (<see cref="RequestDispatch"/>), at once;
    /// then any others a second old. Returns <paramref name="limit"/> while handed-over ones remain, so the
    /// loop comes back for them.
    /// </summary>
    async Task<int> IOutboxDrain.DispatchWaitingAsync(int limit, CancellationToken cancellationToken)
    {
        var requested = new List<long>(limit);
        while (requested.Count < limit && _requested.TryDequeue(out var id))
        {
            requested.Add(id);
        }

        if (requested.Count > 0)
        {
            // A failure loses only the hand-over: the rows stay undispatched for the next poll.
            await DispatchAsync(requested, limit, null, cancellationToken);
            return limit;
        }

        return await DispatchAsync(null, limit, clock.GetCurrentInstant() - Grace, cancellationToken);
    }

    /// <summary>
    /// Dispatches right after a commit; a failure is logged, not thrown: the messages are committed and
    /// <see cref="OutboxLoop"/> dispatches them on its next pass.
    /// </summary>
    public async Task DispatchCommittedAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        try
        {
            await DispatchAsync(ids, ids.Count, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or BackgroundJobClientException
                                       or System.Transactions.TransactionException)
        {
            logger.LogWarning(ex, "Dispatching {Count} committed message(s) failed; the dispatch loop will create their jobs", ids.Count);
        }
    }

    /// <summary>Hands committed messages to this process's outbox loop, to be dispatched now, and returns at once.</summary>
    public void RequestDispatch(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            _requested.Enqueue(id);
        }

        signal.Wake();
    }

    /// <summary>Creates the send job of one message: enqueued when due, scheduled for its instant otherwise.</summary>
    internal long Create(long messageId, Channel channel, string kind, string recipient, Instant scheduledFor, Instant now)
    {
        var (job, state) = JobOf(messageId, channel, kind, recipient, scheduledFor, now);
        return long.Parse(jobs.Create(job, state), System.Globalization.CultureInfo.InvariantCulture);
    }

    long IOutbox<Undispatched>.IdOf(Undispatched row) => row.Id;

    string? IOutbox<Undispatched>.TraceParentOf(Undispatched row) => row.TraceParent;

    // Counted here, once: the message and its job have just committed together.
    void IOutbox<Undispatched>.Dispatched(Undispatched row) => metrics.Planned(row.ClientId, row.Kind, row.Channel.Name);

    (Job Job, IState State) IOutbox<Undispatched>.JobOf(Undispatched row, Instant now) =>
        JobOf(row.Id, row.Channel, row.Kind, row.Recipient, row.ScheduledFor, now);

    private static (Job Job, IState State) JobOf(long messageId, Channel channel, string kind, string recipient, Instant scheduledFor, Instant now)
    {
        var queue = MessageKind.IsUrgent(kind) ? EngineOptions.CriticalQueue : EngineOptions.DefaultQueue;
        var label = SendMessageJob.Label(channel, kind, recipient);
        var job = Job.FromExpression<SendMessageJob>(x => x.SendAsync(messageId, label, null, CancellationToken.None), queue);
        IState state = scheduledFor <= now
            ? new EnqueuedState(queue) { Reason = "Due now" }
            // Rounded up to a whole second: Hangfire would otherwise start it up to a second before its instant.
            : new ScheduledState(HangfireTime.NotBefore(scheduledFor)) { Reason = $"Planned for {scheduledFor}" };
        return (job, state);
    }

    /// <summary>A message waiting for its job (its <c>scheduled_for</c> read as an <see cref="Instant"/> by our Dapper handler).</summary>
    internal sealed record Undispatched(long Id, Channel Channel, string Kind, string Recipient, Instant ScheduledFor, string ClientId, string? TraceParent);
}
