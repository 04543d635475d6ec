using Dapper;
using Npgsql;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>
/// Every <see cref="Interval"/>: counts jobs per state and messages per status into
/// <c>state_counts</c>, so the dashboard reads a dozen rows instead of counting millions on every page
/// load. One count per interval across the cluster (an index-only scan; about 100 ms per million rows
/// here) is the price; the figures are as fresh as <c>counted_at</c>.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class StateCountJob(NpgsqlDataSource dataSource, IClock clock) : IJob
{
    public static readonly JobKey Key = new("state-counts", "housekeeping");
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    // Every state and status the tables' check constraints allow is written, zero when no row is in
    // it, so a count never lingers after the last row left a state.
    private const string CountSql = """
        with counted as (
            select 'job' as subject, state, count(*) as count from jobs group by state
            union all
            select 'message', status, count(*) from messages group by status
        ), known (subject, state) as (
            values ('job', 'Scheduled'), ('job', 'Enqueued'), ('job', 'Processing'), ('job', 'Succeeded'),
                   ('job', 'Failed'), ('job', 'DeadLettered'), ('job', 'Cancelled'),
                   ('message', 'scheduled'), ('message', 'sending'), ('message', 'sent'), ('message', 'delivered'),
                   ('message', 'undelivered'), ('message', 'failed'), ('message', 'cancelled'), ('message', 'skipped'),
                   ('message', 'dead_lettered')
        )
        insert into state_counts (subject, state, count, counted_at)
        select k.subject, k.state, coalesce(c.count, 0), @now from known k left join counted c using (subject, state)
        on conflict (subject, state) do update set count = excluded.count, counted_at = excluded.counted_at
        """;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await RefreshAsync(dataSource, clock.GetCurrentInstant(), cancellationToken);

    /// <summary>Recounts now (also used by the dashboard when no count has been taken yet).</summary>
    public static async Task RefreshAsync(NpgsqlDataSource dataSource, Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CountSql, new { now }, cancellationToken: cancellationToken));
    }
}
