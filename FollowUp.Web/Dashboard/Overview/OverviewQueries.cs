using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>
/// What the overview reads: small tables or narrow indexes only — <c>state_counts</c> and
/// <c>message_days</c> (kept by StateCountJob), today's or the last hour's sends, and failed attempts and
/// dead letters of the charted window, through their partial indexes, the reconciler's last runs, and the
/// last day's failover events. Job counts per Hangfire state are on Hangfire's dashboard.
/// </summary>
internal sealed class OverviewQueries(NpgsqlDataSource dataSource)
{
    // The inbox figures are live (two index look-ups): the conversation pages refresh when a reply arrives.
    private const string CountsSql = """
        select subject, state, count, counted_at from state_counts
        union all select 'inbox', 'unread', (select count(*) from inbound_sms where read_at is null and client_id is not null), null
        union all select 'inbox', 'latest', (select coalesce(max(id), 0) from inbound_sms), null
        """;

    public async Task<StateCounts> CountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CountRow>(
            new CommandDefinition(CountsSql, cancellationToken: cancellationToken))).AsList();
        return new StateCounts(
            rows.ToDictionary(r => $"{r.Subject}:{r.State}", r => r.Count, StringComparer.Ordinal),
            rows.Max(r => r.CountedAt));
    }

    // Sends, failed attempts and dead letters per bucket, each through a narrow index
    // (messages_sent_at, message_events_attempt_failed, dead_letters_at). Sends before @live are read from
    // message_days (kept by StateCountJob, the same count per UTC day of sent_at) instead: a day of a busy
    // install is tens of thousands of sends, and 14 of them made this the overview's one slow statement
    // (docs/BENCHMARKS.md). Job counts are Hangfire's.
    private const string SeriesSql = """
        with events as (
            select sent_at as at, 1::bigint as sent, 0 as failed, 0 as dead from messages where sent_at >= @live and sent_at < @to
            union all
            select day::timestamp at time zone 'UTC', sent, 0, 0 from message_days
            where day >= (@from at time zone 'UTC')::date and day < (@live at time zone 'UTC')::date
            union all
            select at, 0, 1, 0 from message_events where event = 'attempt_failed' and at >= @from and at < @to
            union all
            select dead_lettered_at, 0, 0, 1 from dead_letters where dead_lettered_at >= @from and dead_lettered_at < @to
        )
        select date_bin(@step, at, @from) as bucket, sum(sent)::bigint as succeeded, sum(failed)::bigint as failed,
               sum(dead)::bigint as dead_lettered
        from events group by 1
        """;

    /// <summary>
    /// Messages sent / failed attempts / dead letters per minute over the last hour (<paramref name="perDay"/>
    /// false) or per UTC day over the last 14 days; every bucket present, empty ones as zero. Per day, the
    /// sends of days before today are as of the last recount (<c>StateCountJob</c>, every 15 s by default);
    /// today's, and everything per minute, are counted live.
    /// </summary>
    public async Task<IReadOnlyList<ChartBucket>> SeriesAsync(Instant now, bool perDay, CancellationToken cancellationToken)
    {
        var step = perDay ? Duration.FromDays(1) : Duration.FromMinutes(1);
        var count = perDay ? 14 : 60;
        var stepTicks = step.BclCompatibleTicks;
        var end = Instant.FromUnixTimeTicks((now.ToUnixTimeTicks() / stepTicks + 1) * stepTicks);
        var start = end - step * count;
        var live = perDay ? end - step : start;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<SeriesRow>(new CommandDefinition(
            SeriesSql, new { from = start, to = end, live, step = step.ToTimeSpan() }, cancellationToken: cancellationToken)))
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
            select provider, at, detail from message_events
            where event = 'failover' and at >= @since
        )
        select provider, count(*) as failovers, max(at) as last_failover_at,
               (array_agg(detail order by at desc))[1] as last_error
        from recent group by provider order by provider
        """;

    private const string SentSql = """
        select provider, sum(sent)::bigint as sent from message_days where day = (@now at time zone 'UTC')::date
        group by provider order by provider
        """;

    /// <summary>Per provider: messages sent today (UTC); failovers away from it in the last 24 hours, and its last error.</summary>
    public async Task<IReadOnlyList<ProviderHealth>> ProvidersAsync(Instant now, CancellationToken cancellationToken)
    {
        var since = now - Duration.FromDays(1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var failovers = (await connection.QueryAsync<FailoverRow>(
            new CommandDefinition(ProvidersSql, new { since }, cancellationToken: cancellationToken))).ToDictionary(f => f.Provider);
        var sent = (await connection.QueryAsync<SentRow>(
            new CommandDefinition(SentSql, new { now }, cancellationToken: cancellationToken))).ToDictionary(s => s.Provider);
        return sent.Keys.Union(failovers.Keys).Order(StringComparer.Ordinal).Select(p =>
        {
            var s = sent.GetValueOrDefault(p);
            var f = failovers.GetValueOrDefault(p);
            return new ProviderHealth(p, s?.Sent ?? 0, f?.Failovers ?? 0, f?.LastFailoverAt, f?.LastError);
        }).ToList();
    }

    private const string SpendSql = """
        select currency, sum(cost) filter (where day = (@day at time zone 'UTC')::date) as today, sum(cost) as month
        from message_days where day >= (@month at time zone 'UTC')::date and currency <> ''
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

    // Clients the model was asked for this month (messages_ai_at), each with its provider cost of the month beside it.
    private const string ClientSpendSql = """
        with ai as (
            select client_id, sum(ai_cost) as model_cost, count(*) filter (where ai_model is not null) as model_calls,
                   count(*) filter (where written_by = 'ai') as rewritten
            from messages where ai_at >= @month group by client_id
        )
        select ai.client_id, c.name as client_name, coalesce(ai.model_cost, 0) as model_cost, ai.model_calls, ai.rewritten,
               p.cost as provider_cost, p.currency as provider_currency
        from ai join clients c on c.id = ai.client_id
        left join lateral (
            select sum(m.cost) as cost, min(m.currency) as currency from messages m
            where m.client_id = ai.client_id and m.sent_at >= @month and m.cost is not null
        ) p on true
        order by model_cost desc, ai.client_id limit 50
        """;

    /// <summary>Model cost beside provider cost, this month (UTC), per client the model was asked for.</summary>
    public async Task<IReadOnlyList<ClientSpend>> ClientSpendAsync(Instant now, CancellationToken cancellationToken)
    {
        var month = now.InUtc().Date.With(DateAdjusters.StartOfMonth).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClientSpend>(new CommandDefinition(ClientSpendSql, new { month }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private sealed record CountRow(string Subject, string State, long Count, Instant? CountedAt);

    private sealed record SeriesRow(Instant Bucket, long? Succeeded, long? Failed, long? DeadLettered);

    private sealed record FailoverRow(string Provider, long Failovers, Instant LastFailoverAt, string? LastError);

    private sealed record SentRow(string Provider, long Sent);

    /// <summary>The reconciler's last run, and what it revived and could not revive in the last 24 h.</summary>
    public async Task<(FollowUp.Jobs.Messages.ReconcilerRun? Last, long Revived, long Unrevivable)> ReconcilerAsync(Instant now,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var last = await connection.QuerySingleOrDefaultAsync<FollowUp.Jobs.Messages.ReconcilerRun>(new CommandDefinition(
            "select at, checked, revived, unrevivable from reconciler_runs order by at desc limit 1", cancellationToken: cancellationToken));
        var (revived, unrevivable) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "select coalesce(sum(revived), 0)::bigint, coalesce(sum(unrevivable), 0)::bigint from reconciler_runs where at >= @since",
            new { since = now - Duration.FromDays(1) }, cancellationToken: cancellationToken));
        return (last, revived, unrevivable);
    }
}
