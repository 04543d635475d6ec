using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>
/// Quartz's side of a recurring job: one firing (on one node of the cluster) enqueues one ordinary job
/// of the definition's type and arguments, and records it on the definition — in one transaction.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class RecurringFireJob(NpgsqlDataSource dataSource, JobNotifier notifier, NodeIdentity node, IClock clock, ILogger<RecurringFireJob> logger) : IJob
{
    private const string FireSql = """
        with def as (
            select id, job_type, args from recurring_jobs where id = @id for update
        ), job as (
            insert into jobs (type, args, state, run_at, created_at, state_changed_at, recurring_id)
            select job_type, args, 'Enqueued', @now, @now, @now, id from def
            returning id, state
        ), history as (
            insert into job_history (job_id, state, at, node, attempt, reason)
            select id, state, @now, @node, 0, 'Recurring ' || @id || ' fired' from job
        ), mark as (
            update recurring_jobs set last_enqueued_at = @now, last_job_id = (select id from job) where id = @id
        )
        select id from job
        """;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.MergedJobDataMap.GetString(RecurringJobs.IdKey)
            ?? throw new JobExecutionException($"Trigger {context.Trigger.Key} has no {RecurringJobs.IdKey}.");
        var now = clock.GetCurrentInstant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var jobId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            FireSql, new { id, now, node = node.Id }, cancellationToken: cancellationToken));
        if (jobId is null)
        {
            logger.LogWarning("Recurring job {Id} fired but its definition is gone; nothing enqueued", id);
            return;
        }

        notifier.Committed(now);
        logger.LogInformation("Recurring job {Id} enqueued job {JobId}", id, jobId);
    }
}
