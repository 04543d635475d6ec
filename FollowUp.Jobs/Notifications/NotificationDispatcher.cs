using Dapper;
using FollowUp.Jobs.Engine;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Npgsql;

namespace FollowUp.Jobs.Notifications;

/// <summary>
/// Gives every pending notification its delivery job, as <see cref="Messages.MessageDispatcher"/> does for
/// messages (the same outbox, run by the same loop on every server): rows claimed
/// <c>FOR UPDATE SKIP LOCKED</c>, jobs created, their ids written back in the claiming transaction. A
/// crash between the two leaves a job that finds the notification owned by another and does nothing.
/// </summary>
internal sealed class NotificationDispatcher(NpgsqlDataSource dataSource, IBackgroundJobClient jobs)
{
    /// <summary>Creates the jobs of at most <paramref name="limit"/> undispatched notifications; returns how many.</summary>
    public async Task<int> DispatchAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(long Id, string Type)>(new CommandDefinition("""
            select id, type from notifications where job_id is null and status = 'pending'
            order by id limit @limit for update skip locked
            """, new { limit }, tx, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return 0;
        }

        var ids = new List<long>(rows.Count);
        var jobIds = new List<long>(rows.Count);
        try
        {
            foreach (var (id, type) in rows)
            {
                var label = DeliverNotificationJob.Label(type);
                var job = Job.FromExpression<DeliverNotificationJob>(x => x.DeliverAsync(id, label, null, CancellationToken.None),
                    EngineOptions.DefaultQueue);
                jobIds.Add(long.Parse(jobs.Create(job, new EnqueuedState(EngineOptions.DefaultQueue)), System.Globalization.CultureInfo.InvariantCulture));
                ids.Add(id);
            }
        }
        finally
        {
            // Checkpoint: the jobs made so far exist; record them even when a later one failed.
            await connection.ExecuteAsync(new CommandDefinition("""
                update notifications n set job_id = j.job_id from unnest(@ids, @jobIds) as j(id, job_id) where n.id = j.id
                """, new { ids = ids.ToArray(), jobIds = jobIds.ToArray() }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
        }

        return rows.Count;
    }

    /// <summary>
    /// Releases pending notifications created before <paramref name="before"/> whose delivery job will
    /// never deliver them (missing, Deleted, or Succeeded without delivering): their job id is cleared
    /// so the dispatcher gives them a new one (the old job, should it ever run, finds the notification
    /// owned by another and does nothing). Returns the ids released. Run by the reconciler every minute.
    /// </summary>
    public async Task<IReadOnlyList<long>> ReleaseLostAsync(Hangfire.Storage.IStorageConnection hangfire, NodaTime.Instant before,
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
}
