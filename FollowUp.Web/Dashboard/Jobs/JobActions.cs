using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Engine;
using FollowUp.Web.Dashboard.Access;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>
/// One-click requeue and cancel of a job, through the engine's guarded transitions (the same calls as
/// the API's), audited with the state before and after. Returns a message for the person who clicked.
/// </summary>
internal sealed class JobActions(IJobClient jobs, IMessageClient messages, JobDetails details, AuditLog audit)
{
    public async Task<(bool Done, string Message)> RequeueAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var before = await details.FindAsync(id, cancellationToken);
        if (before is null)
        {
            return (false, $"There is no job {id}.");
        }

        if (!await jobs.RequeueAsync(id, actor, null, cancellationToken))
        {
            return (false, $"Job {id} is {before.State} now: only Failed, DeadLettered, Succeeded or Cancelled jobs can be requeued.");
        }

        await audit.WriteAsync(actor, "job.requeue", $"job {id}",
            new { before.State, before.Attempt }, new { State = nameof(JobState.Enqueued), Attempt = 0 }, cancellationToken);
        return (true, $"Job {id} requeued.");
    }

    public async Task<(bool Done, string Message)> CancelAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var before = await details.FindAsync(id, cancellationToken);
        if (before is null)
        {
            return (false, $"There is no job {id}.");
        }

        // A send job's message follows it to cancelled.
        if (!await messages.CancelJobAsync(id, actor, cancellationToken))
        {
            return (false, $"Job {id} is {before.State} now: only Scheduled, Enqueued or Failed jobs can be cancelled.");
        }

        await audit.WriteAsync(actor, "job.cancel", $"job {id}",
            new { before.State, before.Attempt }, new { State = nameof(JobState.Cancelled), before.Attempt }, cancellationToken);
        return (true, $"Job {id} cancelled.");
    }
}
