using Dapper;
using NodaTime;

namespace FollowUp.Jobs.Engine;

internal sealed partial class JobStore
{
    private const string HeartbeatSql = """
        insert into engine_nodes (id, host, pid, started_at, heartbeat_at, in_flight)
        values (@node, @host, @pid, @now, @now, @inFlight)
        on conflict (id) do update set heartbeat_at = excluded.heartbeat_at, in_flight = excluded.in_flight,
                                       stopped_at = null;
        update jobs set lease_until = @leaseUntil
        where id in (select id from jobs where id = any(@ids) and state = 'Processing' and node = @node
                     order by id for update)
        returning id;
        """;

    /// <summary>
    /// Records that this node is alive and extends the leases of the jobs it holds. Returns the ids
    /// still held; a job missing from the answer was rescued elsewhere, and its attempt must stop.
    /// </summary>
    public async Task<IReadOnlyList<long>> HeartbeatAsync(
        NodeIdentity node, long[] ids, Instant now, Instant leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition(HeartbeatSql, new
        {
            node = node.Id, host = node.Host, pid = node.Pid, now, leaseUntil, ids, inFlight = ids.Length,
        }, cancellationToken: cancellationToken));
        return (await grid.ReadAsync<long>()).AsList();
    }

    public async Task MarkStoppedAsync(string node, Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update engine_nodes set stopped_at = @now, in_flight = 0 where id = @node",
            new { node, now }, cancellationToken: cancellationToken));
    }

    private const string NextDueSql = """
        select min(run_at) from jobs where state = any(@waiting) and type = any(@types)
        """;

    /// <summary>The earliest run time of a waiting job of <paramref name="types"/>, or null when there is none.</summary>
    public async Task<Instant?> NextDueAsync(string[] types, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<Instant?>(new CommandDefinition(
            NextDueSql, new { waiting = WaitingStates, types }, cancellationToken: cancellationToken));
    }

    private const string ExpiredSql = """
        select id, type, args::text as args, attempt, run_at, node
        from jobs
        where state = 'Processing' and lease_until < @now
        order by lease_until
        limit @limit
        """;

    /// <summary>Jobs whose node stopped extending their lease.</summary>
    public async Task<IReadOnlyList<ExpiredJob>> FindExpiredAsync(Instant now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExpiredJob>(new CommandDefinition(
            ExpiredSql, new { now, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string QueueDepthSql = """
        select count(*) from jobs where state = any(@waiting) and run_at <= @now
        """;

    /// <summary>Jobs due and not yet claimed.</summary>
    public async Task<long> QueueDepthAsync(Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<long>(new CommandDefinition(
            QueueDepthSql, new { waiting = WaitingStates, now }, cancellationToken: cancellationToken));
    }
}

/// <summary>A job found in Processing with its lease run out.</summary>
internal sealed record ExpiredJob(long Id, string Type, string Args, int Attempt, Instant RunAt, string? Node);
