using Dapper;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>
/// Statements and commits in one database between a reset and a reading, from pg_stat_statements
/// (loaded by bench/run.sh) and pg_stat_database; NaN where the extension is not loaded.
/// </summary>
internal sealed class StatementCounter(string connectionString)
{
    private long _commitsAtReset;

    public async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        try
        {
            await connection.ExecuteAsync("create extension if not exists pg_stat_statements");
            await connection.ExecuteAsync("select pg_stat_statements_reset()");
        }
        catch (PostgresException)
        {
            // Not in shared_preload_libraries: statements are reported as NaN.
        }

        await connection.ExecuteAsync("select pg_stat_clear_snapshot()");
        _commitsAtReset = await CommitsAsync(connection);
    }

    /// <summary>Statements and commits since the reset, per job of <paramref name="jobs"/>.</summary>
    public async Task<(double Statements, double Commits)> PerJobAsync(int jobs)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        double statements;
        try
        {
            statements = await connection.ExecuteScalarAsync<long>("""
                select coalesce(sum(calls), 0)::bigint from pg_stat_statements s join pg_database d on d.oid = s.dbid
                where d.datname = current_database() and query not ilike '%pg_stat%'
                """);
        }
        catch (PostgresException)
        {
            statements = double.NaN;
        }

        await connection.ExecuteAsync("select pg_stat_clear_snapshot()");
        var commits = await CommitsAsync(connection) - _commitsAtReset;
        return (statements / jobs, (double)commits / jobs);
    }

    /// <summary>
    /// The <paramref name="count"/> statements that took the most execution time since the reset, as
    /// "text | calls | mean ms | share of all statements' time"; empty where the extension is not loaded.
    /// </summary>
    public async Task<IReadOnlyList<string>> CostliestAsync(int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        try
        {
            var rows = await connection.QueryAsync<(string Query, long Calls, double Mean, double Share)>("""
                select regexp_replace(query, '\s+', ' ', 'g'), calls, mean_exec_time, total_exec_time / nullif(sum(total_exec_time) over (), 0)
                from pg_stat_statements s join pg_database d on d.oid = s.dbid
                where d.datname = current_database() and query not ilike '%pg_stat%'
                order by total_exec_time desc limit @count
                """, new { count });
            return rows.Select(r => FormattableString.Invariant(
                $"`{(r.Query.Length > 160 ? r.Query[..160] + "…" : r.Query).Replace("|", "\\|", StringComparison.Ordinal)}` | {r.Calls} | {r.Mean:F2} | {r.Share:P0}")).ToList();
        }
        catch (PostgresException)
        {
            return [];
        }
    }

    // pg_stat_database is updated when a backend reports (at most every 10 ms and at idle), so a reading
    // right after the work may miss the last few commits: good enough for a per-job average.
    private static Task<long> CommitsAsync(NpgsqlConnection connection) =>
        connection.ExecuteScalarAsync<long>("select xact_commit from pg_stat_database where datname = current_database()");
}
