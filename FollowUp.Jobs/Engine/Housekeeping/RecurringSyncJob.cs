using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>
/// Every <c>RecurringSyncSeconds</c>: brings Quartz's triggers in line with <c>recurring_jobs</c>
/// (definitions written inside a caller's transaction arrive this way).
/// </summary>
[DisallowConcurrentExecution]
internal sealed class RecurringSyncJob(RecurringJobs recurring) : IJob
{
    public static readonly JobKey Key = new("recurring-sync", "housekeeping");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await recurring.SyncAsync(cancellationToken, context.Scheduler);
        }
        catch (SchedulerException) when (context.Scheduler.Status is not SchedulerStatus.Running)
        {
            // Fired while the node shuts down: the next node (or the next start) syncs instead.
        }
    }
}
