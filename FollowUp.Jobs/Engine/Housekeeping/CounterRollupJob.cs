using Dapper;
using Npgsql;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>
/// Every 30 s: recomputes the per-minute, per-type, per-state transition counts of the last
/// <see cref="Window"/> from <c>job_history</c> into <c>job_counters</c>, so charts read a small table
/// instead of counting history. Recomputing (not incrementing) makes a rerun or a second node
/// harmless; a transaction that commits history older than the window is not counted.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class CounterRollupJob(NpgsqlDataSource dataSource, IClock clock) : IJob
{
    public static readonly JobKey Key = new("counter-rollup", "housekeeping");
    public static readonly Duration Window = Duration.FromMinutes(10);

    private const string RollupSql = """
        insert into job_counters (minute, job_type, state, count)
        select date_trunc('minute', h.at), j.type, h.state, count(*)
        from job_history h join jobs j on j.id = h.job_id
        where h.at >= @from
        group by 1, 2, 3
        on conflict (minute, job_type, state) do update set count = excluded.count
        """;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var from = Instant.FromUnixTimeSeconds((now - Window).ToUnixTimeSeconds() / 60 * 60);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(RollupSql, new { from }, cancellationToken: cancellationToken));
    }
}
