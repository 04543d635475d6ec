using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Analytics;

/// <summary>
/// What the analytics page reads: the per-day rollups of sql/0020_analytics.sql for the period (and client),
/// plus the changes not folded into them yet — a few rows per day, kind, channel, provider and status,
/// never the messages themselves. One round trip, three result sets.
/// </summary>
internal sealed class AnalyticsQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The lower bounds of the lateness buckets in seconds, as <c>message_lateness_bucket</c> in SQL has them:
    /// bucket b holds [bounds[b], bounds[b + 1]), the last one everything from a day on.
    /// </summary>
    public static IReadOnlyList<int> LatenessBounds { get; } = [0, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400];

    private const string ReportSql = """
        select day, kind, channel, provider, currency, status, sum(messages)::bigint as messages, sum(went_out)::bigint as went_out,
               sum(retried)::bigint as retried, sum(retried_sent)::bigint as retried_sent, sum(segments)::bigint as segments,
               sum(cost) as cost
        from (
            select day, kind, channel, provider, currency, status, messages, went_out, retried, retried_sent, segments, cost
            from message_daily where day between @from and @to and (@client::text is null or client_id = @client)
            union all
            select day, kind, channel, provider, currency, status, messages, went_out, retried, retried_sent, segments, cost
            from message_daily_changes where day between @from and @to and (@client::text is null or client_id = @client)
        ) r
        group by day, kind, channel, provider, currency, status
        having sum(messages) <> 0 or sum(went_out) <> 0
        order by day, kind, channel, provider, currency, status;

        select status, error, sum(messages)::bigint as messages
        from (
            select status, error, messages from message_daily_errors
            where day between @from and @to and (@client::text is null or client_id = @client)
            union all
            select status, error, messages from message_daily_changes
            where error is not null and day between @from and @to and (@client::text is null or client_id = @client)
        ) e
        group by status, error having sum(messages) > 0
        order by status, sum(messages) desc, error;

        select kind, bucket, sum(messages)::bigint as messages
        from (
            select kind, bucket, messages from message_daily_lateness
            where day between @from and @to and (@client::text is null or client_id = @client)
            union all
            select kind, bucket, went_out from message_daily_changes
            where bucket is not null and day between @from and @to and (@client::text is null or client_id = @client)
        ) l
        group by kind, bucket having sum(messages) > 0
        order by kind, bucket;
        """;

    /// <summary>The report for the UTC days <paramref name="from"/>–<paramref name="to"/> (inclusive), one client or all (null).</summary>
    public async Task<AnalyticsReport> ReportAsync(LocalDate from, LocalDate to, string? clientId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One statement's snapshot per result set; all three inside one transaction see the same fold.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(ReportSql,
            new { from, to, client = clientId }, tx, cancellationToken: cancellationToken));
        var rows = (await results.ReadAsync<AnalyticsRow>()).AsList();
        var errors = (await results.ReadAsync<ErrorRow>()).AsList();
        var lateness = (await results.ReadAsync<LatenessRow>()).AsList();
        await tx.CommitAsync(cancellationToken);
        return AnalyticsReport.Of(from, to, clientId, rows, errors, lateness);
    }

    /// <summary>Client ids that exist (the filter's choices; an unknown one is refused).</summary>
    public async Task<IReadOnlyList<string>> ClientIdsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition("select id from clients order by id", cancellationToken: cancellationToken))).AsList();
    }
}

/// <summary>A rollup row: one day, kind, channel, provider ('' before sending), currency and status.</summary>
internal sealed record AnalyticsRow(LocalDate Day, string Kind, string Channel, string Provider, string Currency, string Status,
    long Messages, long WentOut, long Retried, long RetriedSent, long Segments, decimal Cost);

/// <summary>Undelivered or failed messages with one error.</summary>
internal sealed record ErrorRow(string Status, string Error, long Messages);

/// <summary>Messages of a kind that went out in one lateness bucket.</summary>
internal sealed record LatenessRow(string Kind, short Bucket, long Messages);
