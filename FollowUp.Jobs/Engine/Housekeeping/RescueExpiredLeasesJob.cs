using Quartz;

namespace FollowUp.Jobs.Engine.Housekeeping;

/// <summary>Cluster-wide, every <c>RescueIntervalSeconds</c>: rescue jobs of dead nodes.</summary>
[DisallowConcurrentExecution]
internal sealed class RescueExpiredLeasesJob(JobRescuer rescuer) : IJob
{
    public static readonly JobKey Key = new("rescue-expired-leases", "housekeeping");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await rescuer.RescueAsync(cancellationToken);
}
