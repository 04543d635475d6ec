using System.Text;
using Dapper;
using Npgsql;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Messages by filter, newest first, keyset-paged by id: <c>GET /api/messages</c> and the dashboard's
/// Messages page. Only the filter's parts that are set become predicates, so each combination gets a
/// plan for what it asks (a generic "@x is null or …" plan would ignore the indexes).
/// </summary>
/// <remarks>
/// Indexes: <c>q</c> by trigram GIN indexes on the body, the recipient and the call's customer name
/// (sql/0014_api.sql), the other parts by the b-tree indexes on status, recipient and client.
/// MessageSearchPlanTests reads the plan with 100,000 messages; <c>bench/run.sh search</c> measures it at
/// 1,000,000 (docs/BENCHMARKS.md: a selective q in under 20 ms over HTTP, a q matching 2 % of the
/// messages ~300 ms, every q 1–2 s without the trigram indexes).
/// </remarks>
public sealed class MessageSearch(NpgsqlDataSource dataSource)
{
    private const string SelectSql = """
        select m.id, m.client_id, m.call_id, m.kind, m.channel, m.recipient, m.subject, m.body, m.scheduled_for, m.status,
               m.skip_reason, m.provider, m.provider_message_id, m.segments, m.cost, m.currency, m.error, m.job_id,
               m.sent_at, m.delivered_at, m.created_at, m.written_by, m.template_body, m.ai_model, m.ai_cost, m.ai_kept_reason
        from messages m where true
        """;

    // The union lets each branch use its own index (a bitmap OR of the two trigram indexes on messages,
    // and the customer's name through calls); an OR with an EXISTS would scan every message.
    private const string QuerySql = """
         and m.id in (select id from messages where body ilike @pattern or recipient ilike @pattern
                      union
                      select mc.id from calls c join messages mc on mc.client_id = c.client_id and mc.call_id = c.call_id
                      where c.customer_name ilike @pattern)
        """;

    private const string ClientSql = " and m.client_id = @ClientId";
    private const string StatusSql = " and m.status = @Status";
    private const string KindSql = " and m.kind = @Kind";
    private const string ChannelSql = " and m.channel = @Channel";
    private const string PhoneSql = " and m.recipient = @To";
    private const string EmailSql = " and m.channel = 'email' and lower(m.recipient) = lower(@To)";
    private const string FromSql = " and m.created_at >= @From";
    private const string UntilSql = " and m.created_at < @Until";
    private const string BeforeSql = " and m.id < @Before";
    private const string OrderSql = " order by m.id desc limit @limit";

    /// <summary>At most <paramref name="limit"/> messages matching <paramref name="filter"/>, newest (highest id) first.</summary>
    public async Task<IReadOnlyList<MessageInfo>> SearchAsync(MessageFilter filter, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var (sql, args) = Build(filter, limit);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageInfo>(new CommandDefinition(sql, args, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The statement and its parameters for <paramref name="filter"/> (also what bench/ and the plan test explain).</summary>
    public static (string Sql, DynamicParameters Args) Build(MessageFilter filter, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = new StringBuilder(SelectSql);
        var args = new DynamicParameters(filter);
        args.Add("limit", limit);
        args.Add("pattern", filter.Query is { } q ? $"%{EscapeLike(q)}%" : null);
        Append(sql, filter.ClientId, ClientSql);
        Append(sql, filter.Status, StatusSql);
        Append(sql, filter.Kind, KindSql);
        Append(sql, filter.Channel, ChannelSql);
        Append(sql, filter.To, filter.To?.Contains('@', StringComparison.Ordinal) == true ? EmailSql : PhoneSql);
        Append(sql, filter.Query, QuerySql);
        Append(sql, filter.From, FromSql);
        Append(sql, filter.Until, UntilSql);
        Append(sql, filter.Before, BeforeSql);
        sql.Append(OrderSql);
        return (sql.ToString(), args);
    }

    private static void Append(StringBuilder sql, object? value, string predicate)
    {
        if (value is not null)
        {
            sql.Append(predicate);
        }
    }

    // q is a literal substring: % and _ (and the escape itself) match only themselves.
    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
