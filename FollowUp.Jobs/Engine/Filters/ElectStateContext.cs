using NodaTime;

namespace FollowUp.Jobs.Engine.Filters;

/// <summary>
/// The outcome of an attempt and the state it is about to lead to. After all filters have run, a
/// <see cref="JobState.Failed"/> candidate without <see cref="RunAt"/> becomes
/// <see cref="JobState.DeadLettered"/>: a failure nobody scheduled a retry for is parked, not lost.
/// </summary>
public sealed class ElectStateContext
{
    internal ElectStateContext(JobContext job, Type? jobClass, Exception? exception, Instant now, JobState candidate)
    {
        Job = job;
        JobClass = jobClass;
        Exception = exception;
        Now = now;
        Candidate = candidate;
    }

    /// <summary>The job and the attempt that just ended.</summary>
    public JobContext Job { get; }

    /// <summary>The job's class, when the type is registered on this node.</summary>
    public Type? JobClass { get; }

    /// <summary>What the attempt threw, if anything.</summary>
    public Exception? Exception { get; }

    /// <summary>The time of the election.</summary>
    public Instant Now { get; }

    /// <summary>The state the job moves to; filters may change it.</summary>
    public JobState Candidate { get; set; }

    /// <summary>For <see cref="JobState.Failed"/> and <see cref="JobState.Scheduled"/>: when it runs next.</summary>
    public Instant? RunAt { get; set; }

    /// <summary>Why, for the history row.</summary>
    public string? Reason { get; set; }
}
