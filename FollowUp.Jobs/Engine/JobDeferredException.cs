using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Thrown by a job to run again at <see cref="Until"/> (for example, the next business-hours opening)
/// without spending an attempt. The job goes back to Hangfire's Scheduled state (see <see cref="FixedRetryAttribute"/>).
/// </summary>
public class JobDeferredException : Exception
{
    /// <summary>Deferred with no instant: the job runs again at Hangfire's next delayed-job poll, without spending an attempt.</summary>
    public JobDeferredException()
        : this(Instant.MinValue, "deferred")
    {
    }

    /// <summary>Deferred with no instant (the next delayed-job poll), <paramref name="message"/> as the Scheduled state's reason.</summary>
    public JobDeferredException(string message)
        : this(Instant.MinValue, message)
    {
    }

    /// <summary>Deferred with no instant (<see cref="Until"/> is in the past: the next delayed-job poll), wrapping the cause.</summary>
    public JobDeferredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Runs the job again at <paramref name="until"/> (rounded up to Hangfire's whole second), with
    /// <paramref name="reason"/> as the Scheduled state's reason; the attempt count is unchanged.
    /// </summary>
    public JobDeferredException(Instant until, string reason)
        : base(reason)
    {
        Until = until;
    }

    /// <summary>When to run again.</summary>
    public Instant Until { get; }
}
