using System.Text.Json;
using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// Who did what to what, with the state before and after, for every dashboard action that changes
/// something. Written after the change succeeded (a refused action changed nothing and is not logged).
/// </summary>
internal sealed class AuditLog(NpgsqlDataSource dataSource, IClock clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string InsertSql = """
        insert into audit_log (actor, action, target, before, after, at)
        values (@actor, @action, @target, @before::jsonb, @after::jsonb, @now)
        """;

    public async Task WriteAsync(string actor, string action, string target, object? before, object? after, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            actor, action, target,
            before = before is null ? null : JsonSerializer.Serialize(before, Json),
            after = after is null ? null : JsonSerializer.Serialize(after, Json),
            now = clock.GetCurrentInstant(),
        }, cancellationToken: cancellationToken));
    }

    private const string ListSql = """
        select id, actor, action, target, before::text as before, after::text as after, at from audit_log
        where (@beforeId::bigint is null or id < @beforeId)
        order by id desc limit @limit
        """;

    /// <summary>Newest first, keyset-paged by id.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, long? beforeId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditEntry>(new CommandDefinition(ListSql, new { limit, beforeId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
