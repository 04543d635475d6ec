using Dapper;
using Npgsql;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>Reads one job, its history (oldest first) and the message it sends, if any.</summary>
internal sealed class JobDetails(NpgsqlDataSource dataSource)
{
    private const string JobSql = """
        select id, type, args::text as args, state, attempt, run_at, created_at, state_changed_at, node, lease_until,
               recurring_id, last_error
        from jobs where id = @id
        """;

    public async Task<JobDetail?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<JobDetail>(new CommandDefinition(JobSql, new { id }, cancellationToken: cancellationToken));
    }

    private const string HistorySql = """
        select id, state, from_state, at, node, attempt, reason, exception_type, exception_message, exception_stack
        from job_history where job_id = @id order by id
        """;

    public async Task<IReadOnlyList<JobHistoryEntry>> HistoryAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobHistoryEntry>(new CommandDefinition(HistorySql, new { id }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string MessageSql = "select id from messages where job_id = @id";

    public async Task<long?> MessageIdAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(MessageSql, new { id }, cancellationToken: cancellationToken));
    }
}
