using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Thrown by a job to run again at <see cref="Until"/> (for example, the next business-hours opening)
/// without spending an attempt. The job goes back to Hangfire's Scheduled state (see <see cref="FixedRetryAttribute"/>).
/// </summary>
public class JobDeferredException : Exception
{
    public JobDeferredException()
        : this(Instant.MinValue, "deferred")
    {
    }

    public JobDeferredException(string message)
        : this(Instant.MinValue, message)
    {
    }

    public JobDeferredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JobDeferredException(Instant until, string reason)
        : base(reason)
    {
        Until = until;
    }

    /// <summary>When to run again.</summary>
    public Instant Until { get; }
}
