using Dapper;
using FollowUp.Jobs.Engine;
using Hangfire.Common;
using Hangfire.States;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Notifications;

/// <summary>
/// Gives every pending notification its delivery job: the notifications' outbox, through the same
/// <see cref="OutboxDispatcher"/> as messages (claimed <c>FOR UPDATE SKIP LOCKED</c>, jobs created and their
/// ids written back in one transaction, run by the same <see cref="OutboxLoop"/> on every node).
/// </summary>
internal sealed class NotificationDispatcher(NpgsqlDataSource dataSource, OutboxDispatcher outbox)
    : IOutbox<NotificationDispatcher.Pending>, IOutboxDrain
{
    private const string Claim = """
        select id, type from notifications where job_id is null and status = 'pending'
        order by id limit @limit for update skip locked
        """;

    private const string Record = """
        update notifications n set job_id = j.job_id from unnest(@ids, @jobIds) as j(id, job_id) where n.id = j.id
        """;

    string IOutbox<Pending>.ClaimSql => Claim;

    string IOutbox<Pending>.RecordSql => Record;

    string IOutboxDrain.Name => "notifications";

    /// <summary>Creates the jobs of at most <paramref name="limit"/> undispatched notifications, in one transaction; returns how many.</summary>
    public Task<int> DispatchAsync(int limit, CancellationToken cancellationToken) =>
        outbox.DispatchAsync(this, new { limit }, cancellationToken);

    Task<int> IOutboxDrain.DispatchWaitingAsync(int limit, CancellationToken cancellationToken) => DispatchAsync(limit, cancellationToken);

    long IOutbox<Pending>.IdOf(Pending row) => row.Id;

    (Job Job, IState State) IOutbox<Pending>.JobOf(Pending row, Instant now)
    {
        var id = row.Id;
        var label = DeliverNotificationJob.Label(row.Type);
        return (Job.FromExpression<DeliverNotificationJob>(x => x.DeliverAsync(id, label, null, CancellationToken.None), EngineOptions.DefaultQueue),
            new EnqueuedState(EngineOptions.DefaultQueue));
    }

    /// <summary>
    /// Releases pending notifications created before <paramref name="before"/> whose delivery job will
    /// never deliver them (missing, Deleted, or Succeeded without delivering): their job id is cleared
    /// so the dispatcher gives them a new one (the old job, should it ever run, finds the notification
    /// owned by another and does nothing). Returns the ids released. Run by the reconciler every minute.
    /// </summary>
    public async Task<IReadOnlyList<long>> ReleaseLostAsync(Hangfire.Storage.IStorageConnection hangfire, Instant before,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hangfire);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var pending = (await connection.QueryAsync<(long Id, long JobId)>(new CommandDefinition("""
            select id, job_id from notifications where status = 'pending' and job_id is not null and created_at < @before
            order by id limit 1000
            """, new { before }, cancellationToken: cancellationToken))).AsList();
        var lost = pending.Where(p => hangfire.GetStateData(p.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture))?.Name
            is not { } state || state == DeletedState.StateName || state == SucceededState.StateName).ToList();
        if (lost.Count == 0)
        {
            return [];
        }

        var released = await connection.QueryAsync<long>(new CommandDefinition("""
            update notifications n set job_id = null from unnest(@ids, @jobIds) as l(id, job_id)
            where n.id = l.id and n.job_id = l.job_id and n.status = 'pending'
            returning n.id
            """, new { ids = lost.Select(l => l.Id).ToArray(), jobIds = lost.Select(l => l.JobId).ToArray() }, cancellationToken: cancellationToken));
        return released.AsList();
    }

    /// <summary>A notification waiting for its job.</summary>
    internal sealed record Pending(long Id, string Type);
}
