using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>
/// What the overview reads: small tables only — <c>state_counts</c> (kept by StateCountJob),
/// <c>job_counters</c> (per-minute transitions, kept by CounterRollupJob), recent failover events and
/// today's / this month's sent messages through their indexes.
/// </summary>
internal sealed class OverviewQueries(NpgsqlDataSource dataSource)
{
    private const string CountsSql = "select subject, state, count, counted_at from state_counts";

    public async Task<StateCounts> CountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CountRow>(
            new CommandDefinition(CountsSql, cancellationToken: cancellationToken))).AsList();
        return new StateCounts(
            rows.ToDictionary(r => $"{r.Subject}:{r.State}", r => r.Count, StringComparer.Ordinal),
            rows.Count == 0 ? null : rows.Max(r => r.CountedAt));
    }

    private const string SeriesSql = """
        select date_trunc(@unit, minute) as bucket,
               sum(count) filter (where state = 'Succeeded')::bigint as succeeded,
               sum(count) filter (where state = 'Failed')::bigint as failed,
               sum(count) filter (where state = 'DeadLettered')::bigint as dead_lettered
        from job_counters
        where minute >= @from and minute < @to and state in ('Succeeded', 'Failed', 'DeadLettered')
        group by 1
        """;

    /// <summary>
    /// Succeeded / failed / dead-lettered transitions per minute over the last hour (<paramref name="perDay"/>
    /// false) or per UTC day over the last 14 days; every bucket present, empty ones as zero.
    /// </summary>
    public async Task<IReadOnlyList<ChartBucket>> SeriesAsync(Instant now, bool perDay, CancellationToken cancellationToken)
    {
        var step = perDay ? Duration.FromDays(1) : Duration.FromMinutes(1);
        var count = perDay ? 14 : 60;
        var stepTicks = step.BclCompatibleTicks;
        var end = Instant.FromUnixTimeTicks((now.ToUnixTimeTicks() / stepTicks + 1) * stepTicks);
        var start = end - step * count;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<SeriesRow>(new CommandDefinition(
            SeriesSql, new { unit = perDay ? "day" : "minute", from = start, to = end }, cancellationToken: cancellationToken)))
            .ToDictionary(r => r.Bucket);
        var buckets = new List<ChartBucket>(count);
        for (var at = start; at < end; at += step)
        {
            buckets.Add(rows.TryGetValue(at, out var r)
                ? new ChartBucket(at, r.Succeeded ?? 0, r.Failed ?? 0, r.DeadLettered ?? 0)
                : new ChartBucket(at, 0, 0, 0));
        }

        return buckets;
    }

    private const string ProvidersSql = """
        with recent as (
            select split_part(detail, ':', 1) as provider, at, detail from message_events
            where event = 'failover' and at >= @since
        )
        select provider, count(*) as failovers, max(at) as last_failover_at,
               (array_agg(detail order by at desc))[1] as last_error
        from recent group by provider order by provider
        """;

    private const string SentSql = """
        select provider, count(*) as sent, max(sent_at) as last_sent_at from messages
        where sent_at >= @since and provider is not null
        group by provider order by provider
        """;

    /// <summary>Per provider over the last 24 hours: messages sent, failovers away from it, its last error.</summary>
    public async Task<IReadOnlyList<ProviderHealth>> ProvidersAsync(Instant now, CancellationToken cancellationToken)
    {
        var since = now - Duration.FromDays(1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var failovers = (await connection.QueryAsync<FailoverRow>(
            new CommandDefinition(ProvidersSql, new { since }, cancellationToken: cancellationToken))).ToDictionary(f => f.Provider);
        var sent = (await connection.QueryAsync<SentRow>(
            new CommandDefinition(SentSql, new { since }, cancellationToken: cancellationToken))).ToDictionary(s => s.Provider);
        return sent.Keys.Union(failovers.Keys).Order(StringComparer.Ordinal).Select(p =>
        {
            var s = sent.GetValueOrDefault(p);
            var f = failovers.GetValueOrDefault(p);
            return new ProviderHealth(p, s?.Sent ?? 0, f?.Failovers ?? 0, f?.LastFailoverAt, f?.LastError, s?.LastSentAt);
        }).ToList();
    }

    private const string SpendSql = """
        select currency, sum(cost) filter (where sent_at >= @day) as today, sum(cost) as month
        from messages where sent_at >= @month and cost is not null
        group by currency order by currency
        """;

    /// <summary>Cost of messages sent today and this month (UTC), per currency.</summary>
    public async Task<IReadOnlyList<Spend>> SpendAsync(Instant now, CancellationToken cancellationToken)
    {
        var date = now.InUtc().Date;
        var day = date.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var month = date.With(DateAdjusters.StartOfMonth).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Spend>(new CommandDefinition(SpendSql, new { day, month }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private sealed record CountRow(string Subject, string State, long Count, Instant CountedAt);

    private sealed record SeriesRow(Instant Bucket, long? Succeeded, long? Failed, long? DeadLettered);

    private sealed record FailoverRow(string Provider, long Failovers, Instant LastFailoverAt, string? LastError);

    private sealed record SentRow(string Provider, long Sent, Instant LastSentAt);
}
