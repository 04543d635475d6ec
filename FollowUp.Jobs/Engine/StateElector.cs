using FollowUp.Jobs.Engine.Filters;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Turns an attempt that did not succeed into its guarded transition: deferral back to Scheduled
/// (attempt refunded), or the state the state filters elect for a failure — Failed with a retry
/// time, or DeadLettered. Success takes the batched fast path and is not elected.
/// </summary>
internal sealed class StateElector(JobRegistry registry, JobFilters filters)
{
    public JobTransition ForFailure(long jobId, string type, int attempt, Instant runAt, string claimedBy, Exception exception, string node, Instant now)
    {
        if (exception is JobDeferredException deferred)
        {
            return new JobTransition(jobId, [JobState.Processing], JobState.Scheduled)
            {
                ClaimedBy = claimedBy,
                Attempt = attempt,
                RunAt = Instant.Max(deferred.Until, now),
                AttemptChange = AttemptChange.Refund,
                Reason = $"Deferred: {deferred.Message}",
            };
        }

        var descriptor = registry.Find(type);
        var context = new ElectStateContext(
            new JobContext(jobId, type, attempt, runAt, node), descriptor?.JobClass, exception, now, JobState.Failed)
        {
            Reason = exception.Message,
        };
        foreach (var filter in filters.StateFilters(descriptor))
        {
            filter.OnStateElection(context);
        }

        if (context.Candidate == JobState.Failed && context.RunAt is null)
        {
            context.Candidate = JobState.DeadLettered;
            context.Reason ??= "Failed with no retry scheduled";
        }

        return new JobTransition(jobId, [JobState.Processing], context.Candidate)
        {
            ClaimedBy = claimedBy,
            Attempt = attempt,
            RunAt = context.RunAt,
            AttemptChange = context.Candidate == JobState.Scheduled ? AttemptChange.Refund : AttemptChange.Keep,
            Reason = context.Reason,
            Exception = ExceptionInfo.From(exception),
        };
    }
}
