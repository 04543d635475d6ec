using Dapper;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Api.Idempotency;

/// <summary>
/// <c>idempotency_keys</c>: per API key (its SHA-256) and Idempotency-Key, the first request's hash and
/// its response, kept <see cref="Lifetime"/>. In PostgreSQL, so every node of a cluster agrees; the
/// primary key decides which of two concurrent first requests runs.
/// </summary>
internal sealed class IdempotencyStore(NpgsqlDataSource dataSource, IClock clock)
{
    public static readonly Duration Lifetime = Duration.FromHours(24);

    // Claims the key: a new row, or an expired one taken over. Each claim also removes up to 100 other
    // expired rows, so the table holds about a day of keys without a job of its own.
    private const string BeginSql = """
        with purged as (
            delete from idempotency_keys where ctid in (
                select ctid from idempotency_keys
                where created_at < @expiredBefore and not (api_key_hash = @apiKeyHash and key = @key)
                order by created_at limit 100)
        )
        insert into idempotency_keys (api_key_hash, key, request_hash, created_at)
        values (@apiKeyHash, @key, @requestHash, @now)
        on conflict (api_key_hash, key) do update set
            request_hash = excluded.request_hash, status = null, content_type = null, location = null, body = null,
            created_at = excluded.created_at, completed_at = null
        where idempotency_keys.created_at < @expiredBefore
        returning true
        """;

    private const string FindSql = """
        select request_hash, status, content_type, location, body from idempotency_keys
        where api_key_hash = @apiKeyHash and key = @key and created_at >= @expiredBefore
        """;

    /// <summary>Null when this request now holds the key (run it); else the row that holds it.</summary>
    public async Task<IdempotencyRecord?> BeginAsync(string apiKeyHash, string key, string requestHash, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var args = new { apiKeyHash, key, requestHash, now, expiredBefore = now - Lifetime };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            if (await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(BeginSql, args, cancellationToken: cancellationToken)) == true)
            {
                return null;
            }

            // Held by a live row; read it. It may have been released in between: claim again.
            var held = await connection.QuerySingleOrDefaultAsync<IdempotencyRecord>(new CommandDefinition(FindSql, args,
                cancellationToken: cancellationToken));
            if (held is not null || attempt == 2)
            {
                return held ?? throw new InvalidOperationException($"Could not claim Idempotency-Key '{key}'.");
            }
        }
    }

    private const string CompleteSql = """
        update idempotency_keys set status = @status, content_type = @contentType, location = @location, body = @body,
            completed_at = @now
        where api_key_hash = @apiKeyHash and key = @key and request_hash = @requestHash and status is null
        """;

    /// <summary>Keeps the response the request got; a retry is answered with it.</summary>
    public async Task CompleteAsync(string apiKeyHash, string key, string requestHash, int status, string? contentType, string? location,
        byte[] body, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CompleteSql, new
        {
            apiKeyHash, key, requestHash, status, contentType, location, body, now = clock.GetCurrentInstant(),
        }, cancellationToken: cancellationToken));
    }

    private const string ReleaseSql = """
        delete from idempotency_keys where api_key_hash = @apiKeyHash and key = @key and request_hash = @requestHash and status is null
        """;

    /// <summary>Frees the key of a request that was refused (a 4xx changes nothing), so a corrected retry may use it.</summary>
    public async Task ReleaseAsync(string apiKeyHash, string key, string requestHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, new { apiKeyHash, key, requestHash }, cancellationToken: cancellationToken));
    }
}
