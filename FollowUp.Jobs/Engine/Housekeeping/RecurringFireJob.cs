using Microsoft.Extensions.Logging;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>
/// Quartz's side of a recurring job: one firing (on one node of the cluster) enqueues one ordinary job
/// of the definition's type and arguments, and records it on the definition — in one transaction.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class RecurringFireJob(RecurringJobs recurring, JobNotifier notifier, NodeIdentity node, IClock clock, ILogger<RecurringFireJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.MergedJobDataMap.GetString(RecurringJobs.IdKey)
            ?? throw new JobExecutionException($"Trigger {context.Trigger.Key} has no {RecurringJobs.IdKey}.");
        var jobId = await recurring.FireAsync(id, node.Id, cancellationToken);
        if (jobId is null)
        {
            logger.LogWarning("Recurring job {Id} fired but its definition is gone; nothing enqueued", id);
            return;
        }

        notifier.Committed(clock.GetCurrentInstant());
        logger.LogInformation("Recurring job {Id} enqueued job {JobId}", id, jobId);
    }
}
