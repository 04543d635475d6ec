using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>
/// The jobs list and "all matching" selection. Each filter adds one constant predicate, so the
/// statement holds only what is searched for and PostgreSQL plans each shape for its indexes
/// (state + state_changed_at for the list; messages by recipient, call, client for message filters).
/// </summary>
internal sealed class JobQueries(NpgsqlDataSource dataSource)
{
    public const int PageSize = 50;

    private const string SelectSql = """
        select j.id, j.type, j.state, j.attempt, j.run_at, j.created_at, j.state_changed_at, j.last_error,
               m.id as message_id, m.client_id, m.recipient, m.call_id, m.kind
        from jobs j left join messages m on m.job_id = j.id
        where j.state = @state
        """;

    private const string IdFilter = " and j.id = @id";
    private const string TypeFilter = " and j.type = @type";
    private const string RecipientFilter = " and m.recipient = @recipient";
    private const string CallFilter = " and m.call_id = @callId";
    private const string ClientFilter = " and m.client_id = @client";
    private const string KindFilter = " and m.kind = @kind";
    private const string FromFilter = " and j.state_changed_at >= @from";
    private const string ToFilter = " and j.state_changed_at < @to";
    private const string PageAfter = " and (j.state_changed_at, j.id) < (@afterAt, @afterId)";
    private const string PageOrder = " order by j.state_changed_at desc, j.id desc limit @limit";

    /// <summary>One page, newest state change first, after <paramref name="cursor"/> (from <see cref="Cursor"/>).</summary>
    public async Task<IReadOnlyList<JobRow>> PageAsync(JobSearch search, string? cursor, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(SelectSql);
        var args = Filter(search, sql);
        if (ParseCursor(cursor) is { } after)
        {
            sql.Append(PageAfter);
            args.Add("afterAt", after.At);
            args.Add("afterId", after.Id);
        }

        sql.Append(PageOrder);
        args.Add("limit", PageSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(sql.ToString(), args, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The next batch of matching ids above <paramref name="afterId"/>, in id order (for bulk actions).</summary>
    public async Task<IReadOnlyList<long>> MatchingIdsAsync(JobSearch search, long afterId, int limit, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(SelectSql);
        var args = Filter(search, sql);
        sql.Append(" and j.id > @afterId order by j.id limit @limit");
        args.Add("afterId", afterId);
        args.Add("limit", limit);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(sql.ToString(), args, cancellationToken: cancellationToken));
        return rows.Select(r => r.Id).ToList();
    }

    /// <summary>How many jobs match now (for a bulk action's progress; runs once per bulk action).</summary>
    public async Task<long> CountAsync(JobSearch search, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(SelectSql);
        var args = Filter(search, sql);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"select count(*) from ({sql}) matching", args, cancellationToken: cancellationToken));
    }

    public static string Cursor(JobRow row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.StateChangedAt.ToUnixTimeTicks()}_{row.Id}");

    private static (Instant At, long Id)? ParseCursor(string? cursor)
    {
        var parts = cursor?.Split('_');
        return parts is [var ticks, var id]
            && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            ? (Instant.FromUnixTimeTicks(t), i)
            : null;
    }

    private static DynamicParameters Filter(JobSearch search, StringBuilder sql)
    {
        var args = new DynamicParameters();
        args.Add("state", search.State);
        void Add(string fragment, string name, object? value)
        {
            if (value is null || (value is string s && string.IsNullOrWhiteSpace(s)))
            {
                return;
            }

            sql.Append(fragment);
            args.Add(name, value is string text ? text.Trim() : value);
        }

        Add(IdFilter, "id", search.Id);
        Add(TypeFilter, "type", search.Type);
        Add(RecipientFilter, "recipient", search.Recipient);
        Add(CallFilter, "callId", search.CallId);
        Add(ClientFilter, "client", search.Client);
        Add(KindFilter, "kind", search.Kind);
        Add(FromFilter, "from", search.FromInstant);
        Add(ToFilter, "to", search.ToInstant);
        return args;
    }
}
