using NodaTime;

namespace FollowUp.Jobs.Engine.Filters;

/// <summary>
/// Retries a failed attempt on a fixed schedule: up to <see cref="Attempts"/> attempts in all, each
/// <see cref="DelaySeconds"/> after the previous one failed. An exception marked permanent
/// (<see cref="PermanentJobException"/>) skips the remaining attempts. When attempts run out the job
/// is dead-lettered. Registered globally from <c>FollowUp:Retry</c> (default 3 attempts, 60 s apart);
/// put the attribute on a job class to override it for that type.
/// </summary>
public sealed class FixedRetryAttribute : JobFilterAttribute, IJobStateFilter
{
    /// <summary>Attempts in all, the first included. At least 1.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Seconds between a failed attempt and the next. At least 0.</summary>
    public int DelaySeconds { get; init; } = 60;

    /// <inheritdoc />
    public void OnStateElection(ElectStateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Candidate != JobState.Failed || context.Exception is null)
        {
            return;
        }

        if (PermanentJobException.IsPermanent(context.Exception))
        {
            context.Candidate = JobState.DeadLettered;
            context.RunAt = null;
            context.Reason = "Permanent failure: no retry";
            return;
        }

        if (context.Job.Attempt >= Attempts)
        {
            context.Candidate = JobState.DeadLettered;
            context.RunAt = null;
            context.Reason = $"Attempts exhausted ({context.Job.Attempt} of {Attempts})";
            return;
        }

        context.RunAt = context.Now + Duration.FromSeconds(DelaySeconds);
        context.Reason = $"Retry {context.Job.Attempt + 1} of {Attempts} in {DelaySeconds} s";
    }
}
