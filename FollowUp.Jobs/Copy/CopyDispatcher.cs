using FollowUp.Jobs.Engine;
using Hangfire.Common;
using Hangfire.States;
using NodaTime;

namespace FollowUp.Jobs.Copy;

/// <summary>
/// Gives every <c>copy_requests</c> row its <see cref="PersonaliseCallJob"/>: the same outbox as messages and
/// notifications (<see cref="OutboxDispatcher"/>: claimed <c>FOR UPDATE SKIP LOCKED</c>, jobs created and their ids
/// written back in one transaction, run by <see cref="OutboxLoop"/> on every node, woken by the intake's commit).
/// Critical queue: a confirmation allowed a short wait is waiting for it.
/// </summary>
internal sealed class CopyDispatcher(OutboxDispatcher outbox) : IOutbox<CopyDispatcher.Pending>, IOutboxDrain
{
    private const string Claim = """
        select id, call_id from copy_requests where job_id is null and done_at is null
        order by id limit @limit for update skip locked
        """;

    private const string Record = """
        update copy_requests r set job_id = j.job_id from unnest(@ids, @jobIds) as j(id, job_id) where r.id = j.id
        """;

    string IOutbox<Pending>.ClaimSql => Claim;

    string IOutbox<Pending>.RecordSql => Record;

    string IOutboxDrain.Name => "copy requests";

    Task<int> IOutboxDrain.DispatchWaitingAsync(int limit, CancellationToken cancellationToken) =>
        outbox.DispatchAsync(this, new { limit }, cancellationToken);

    long IOutbox<Pending>.IdOf(Pending row) => row.Id;

    (Job Job, IState State) IOutbox<Pending>.JobOf(Pending row, Instant now)
    {
        var id = row.Id;
        var label = "call " + row.CallId;
        return (Job.FromExpression<PersonaliseCallJob>(x => x.PersonaliseAsync(id, label, CancellationToken.None), EngineOptions.CriticalQueue),
            new EnqueuedState(EngineOptions.CriticalQueue) { Reason = "Call planned" });
    }

    /// <summary>A request waiting for its job.</summary>
    internal sealed record Pending(long Id, string CallId);
}
