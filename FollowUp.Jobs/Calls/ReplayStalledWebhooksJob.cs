using NodaTime;
using Quartz;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Cluster-wide, every minute: processes call webhooks journaled more than a minute ago and still
/// <c>received</c> (the node that took them died before processing, and the platform did not retry).
/// Failed ones are left for a person to replay: their error needs reading first.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ReplayStalledWebhooksJob(CallIntake intake) : IJob
{
    public static readonly JobKey Key = new("replay-stalled-webhooks", "housekeeping");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await intake.ReplayStalledAsync(Duration.FromMinutes(1), cancellationToken);
}
