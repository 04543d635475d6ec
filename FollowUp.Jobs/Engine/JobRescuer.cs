using Microsoft.Extensions.Logging;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Finds jobs whose node stopped extending their lease and records the attempt as failed with
/// <see cref="JobLeaseExpiredException"/>, so the normal election applies: a retry (with the fixed
/// delay) while attempts remain, else the dead-letter table. Guarded on the dead node's claim, so a
/// node that was only slow and stores its outcome first wins, and the rescue changes nothing.
/// </summary>
internal sealed class JobRescuer(JobStore store, StateElector elector, NodeIdentity node, IClock clock, ILogger<JobRescuer> logger)
{
    public async Task<int> RescueAsync(CancellationToken cancellationToken)
    {
        var rescued = 0;
        var now = clock.GetCurrentInstant();
        foreach (var job in await store.FindExpiredAsync(now, 1_000, cancellationToken))
        {
            var failure = new JobLeaseExpiredException(
                $"Lease of node {job.Node} expired; the node stopped before finishing attempt {job.Attempt}.");
            var transition = elector.ForFailure(job.Id, job.Type, job.Attempt, job.RunAt, job.Node ?? "", failure, node.Id, now);
            if (await store.TransitionAsync(transition, node.Id, now, null, cancellationToken) is not null)
            {
                rescued++;
                logger.LogWarning("Rescued job {JobId} from node {Node}: now {State}", job.Id, job.Node, transition.To);
            }
        }

        return rescued;
    }
}
