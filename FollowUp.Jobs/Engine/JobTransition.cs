using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>What happens to the attempt counter in a transition.</summary>
internal enum AttemptChange
{
    Keep = 0,

    /// <summary>The attempt did not count (deferred, released at shutdown).</summary>
    Refund = 1,

    /// <summary>A fresh series of attempts (requeue).</summary>
    Reset = 2,
}

/// <summary>An exception as stored in history and dead letters.</summary>
internal sealed record ExceptionInfo(string Type, string Message, string? Stack)
{
    public static ExceptionInfo? From(Exception? exception) => exception is null
        ? null
        : new ExceptionInfo(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.ToString());
}

/// <summary>
/// One guarded state change: applied only if the job is in one of <see cref="From"/> (and, when set,
/// claimed by <see cref="ClaimedBy"/> at <see cref="Attempt"/>), else nothing changes.
/// </summary>
internal sealed record JobTransition(long JobId, JobState[] From, JobState To)
{
    public string? ClaimedBy { get; init; }

    public int? Attempt { get; init; }

    public Instant? RunAt { get; init; }

    public AttemptChange AttemptChange { get; init; }

    public string? Reason { get; init; }

    public ExceptionInfo? Exception { get; init; }

    /// <summary>Who asked for it (a user, or the node), recorded on dead letters it resolves.</summary>
    public string? Actor { get; init; }
}
