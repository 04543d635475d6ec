using System.ComponentModel;
using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>
/// A Hangfire recurring job (every <c>StateCountSeconds</c>): counts messages per status into
/// <c>state_counts</c> and recomputes yesterday's and today's (UTC) rows of <c>message_days</c> (sends
/// and cost per provider and currency), so the dashboard reads a few rows instead of scanning millions
/// on every page load. Job counts are Hangfire's own (its dashboard). A provider's price that arrives
/// more than a day after the send is not re-rolled. The dashboard's read side, so FollowUp.Web registers
/// it (every server node is a FollowUp.Web process).
/// </summary>
internal sealed class StateCountJob(NpgsqlDataSource dataSource, IClock clock)
{
    public const string RecurringId = "state-counts";

    // Every status (MessageStatus.All, which the table's check constraint allows) is written, zero when
    // no row is in it, so a count never lingers after the last row left a status.
    private const string CountSql = """
        with counted as (
            select 'message' as subject, status as state, count(*) as count from messages group by status
        ), known (subject, state) as (
            select 'message', unnest(@statuses::text[])
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

    [DisplayName("Count messages per status")]
    public Task RunAsync(CancellationToken cancellationToken) => RefreshAsync(dataSource, clock.GetCurrentInstant(), cancellationToken);

    /// <summary>Recounts now (also used by the dashboard when no count has been taken yet).</summary>
    public static async Task RefreshAsync(NpgsqlDataSource dataSource, Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CountSql, new { now, statuses = FollowUp.Jobs.Messages.MessageStatus.All.ToArray() },
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(MessageDaysSql, cancellationToken: cancellationToken));
    }
}
