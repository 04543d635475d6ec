using Dapper;
using Npgsql;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>
/// Every <c>StateCountSeconds</c> (15): counts jobs per state and messages per status into
/// <c>state_counts</c>, and recomputes yesterday's and today's (UTC) rows of the daily rollups
/// <c>message_days</c> (sends and cost per provider and currency) and <c>job_days</c> (from the
/// per-minute <c>job_counters</c>), so the dashboard reads a few rows instead of scanning millions on
/// every page load. The price is one count per interval across the cluster (see docs/BENCHMARKS.md);
/// the figures are as fresh as <c>counted_at</c>. The first run fills the rollups for every day.
/// A provider's price that arrives more than a day after the send is not re-rolled.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class StateCountJob(NpgsqlDataSource dataSource, IClock clock) : IJob
{
    public static readonly JobKey Key = new("state-counts", "housekeeping");

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

    private const string MessageDaysSql = """
        insert into message_days (day, provider, currency, sent, cost)
        select (sent_at at time zone 'UTC')::date, provider, coalesce(currency, ''), count(*), coalesce(sum(cost), 0)
        from messages
        where sent_at >= coalesce((select max(day) - 1 from message_days)::timestamp at time zone 'UTC', '-infinity')
          and provider is not null
        group by 1, 2, 3
        on conflict (day, provider, currency) do update set sent = excluded.sent, cost = excluded.cost
        """;

    private const string JobDaysSql = """
        insert into job_days (day, state, count)
        select (minute at time zone 'UTC')::date, state, sum(count)
        from job_counters
        where minute >= coalesce((select max(day) - 1 from job_days)::timestamp at time zone 'UTC', '-infinity')
        group by 1, 2
        on conflict (day, state) do update set count = excluded.count
        """;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await RefreshAsync(dataSource, clock.GetCurrentInstant(), cancellationToken);

    /// <summary>Recounts now (also used by the dashboard when no count has been taken yet).</summary>
    public static async Task RefreshAsync(NpgsqlDataSource dataSource, Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CountSql, new { now }, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(MessageDaysSql, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(JobDaysSql, cancellationToken: cancellationToken));
    }
}
