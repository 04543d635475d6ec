using System.ComponentModel;
using Dapper;
using Npgsql;

namespace FollowUp.Web.Dashboard.Analytics;

/// <summary>
/// A Hangfire recurring job (every <c>StateCountSeconds</c>): folds the signed changes the messages' triggers
/// append to <c>message_daily_changes</c> into the per-day rollups (<c>message_daily</c>, its errors and its
/// lateness histogram; sql/0020_analytics.sql). Reads add the changes not folded yet, so a figure is exact
/// whenever the fold runs; the fold only keeps the change table short. Taking and adding happen in one
/// transaction: a change is folded once, or stays for the next run.
/// </summary>
internal sealed class AnalyticsFoldJob(NpgsqlDataSource dataSource)
{
    public const string RecurringId = "analytics-rollups";

    // Folds run one at a time (two would upsert the same rollup rows in different orders and could deadlock).
    private const string LockSql = "select pg_advisory_xact_lock(hashtextextended('followup:analytics-fold', 0))";

    // Rows the triggers append after this statement's snapshot stay for the next fold.
    private const string FoldSql = """
        with taken as (
            delete from message_daily_changes returning *
        ), daily as (
            insert into message_daily (day, client_id, kind, channel, provider, currency, status,
                                       messages, went_out, retried, retried_sent, segments, cost)
            select day, client_id, kind, channel, provider, currency, status,
                   sum(messages), sum(went_out), sum(retried), sum(retried_sent), sum(segments), sum(cost)
            from taken group by day, client_id, kind, channel, provider, currency, status
            order by day, client_id, kind, channel, provider, currency, status
            on conflict (day, client_id, kind, channel, provider, currency, status) do update set
                messages = message_daily.messages + excluded.messages, went_out = message_daily.went_out + excluded.went_out,
                retried = message_daily.retried + excluded.retried, retried_sent = message_daily.retried_sent + excluded.retried_sent,
                segments = message_daily.segments + excluded.segments, cost = message_daily.cost + excluded.cost
        ), errors as (
            insert into message_daily_errors (day, client_id, kind, channel, provider, status, error, messages)
            select day, client_id, kind, channel, provider, status, error, sum(messages)
            from taken where error is not null group by day, client_id, kind, channel, provider, status, error
            order by day, client_id, kind, channel, provider, status, error
            on conflict (day, client_id, kind, channel, provider, status, error) do update set
                messages = message_daily_errors.messages + excluded.messages
        ), lateness as (
            insert into message_daily_lateness (day, client_id, kind, channel, provider, bucket, messages)
            select day, client_id, kind, channel, provider, bucket, sum(went_out)
            from taken where bucket is not null group by day, client_id, kind, channel, provider, bucket
            order by day, client_id, kind, channel, provider, bucket
            on conflict (day, client_id, kind, channel, provider, bucket) do update set
                messages = message_daily_lateness.messages + excluded.messages
        )
        select count(*) from taken
        """;

    [DisplayName("Fold analytics rollups")]
    public Task RunAsync(CancellationToken cancellationToken) => FoldAsync(dataSource, cancellationToken);

    /// <summary>Folds every committed change; returns how many change rows it took.</summary>
    public static async Task<long> FoldAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(LockSql, transaction: tx, cancellationToken: cancellationToken));
        var taken = await connection.ExecuteScalarAsync<long>(new CommandDefinition(FoldSql, transaction: tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return taken;
    }
}
