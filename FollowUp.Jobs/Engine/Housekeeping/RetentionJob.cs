using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>
/// Hourly: deletes Succeeded and Cancelled jobs (and, by cascade, their history) older than
/// <c>RetentionDays</c>, in batches so no statement holds locks for long; forgets nodes silent for a
/// day. Failed, dead-lettered and waiting jobs are never deleted.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class RetentionJob(NpgsqlDataSource dataSource, IOptions<EngineOptions> options, IClock clock, ILogger<RetentionJob> logger) : IJob
{
    public static readonly JobKey Key = new("retention", "housekeeping");

    private const string DeleteBatchSql = """
        delete from jobs where id in (
            select id from jobs
            where state in ('Succeeded', 'Cancelled') and state_changed_at < @cutoff
            order by state_changed_at
            limit 5000)
        """;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var cutoff = now - Duration.FromDays(options.Value.RetentionDays);
        long total = 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int deleted;
        do
        {
            deleted = await connection.ExecuteAsync(new CommandDefinition(DeleteBatchSql, new { cutoff }, cancellationToken: cancellationToken));
            total += deleted;
        }
        while (deleted > 0 && !cancellationToken.IsCancellationRequested);

        await connection.ExecuteAsync(new CommandDefinition(
            "delete from engine_nodes where heartbeat_at < @cutoff", new { cutoff = now - Duration.FromDays(1) },
            cancellationToken: cancellationToken));
        if (total > 0)
        {
            logger.LogInformation("Retention deleted {Count} finished jobs older than {Cutoff}", total, cutoff);
        }
    }
}
