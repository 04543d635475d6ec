namespace FollowUp.Jobs.Engine;

/// <summary>What happened to a dead letter, as its job type's <see cref="IDeadLetterHandler"/> is told.</summary>
/// <param name="DeadLetterId">The <c>dead_letters</c> row.</param>
/// <param name="JobId">The Hangfire job.</param>
/// <param name="Subject">What the handler said the job acts on.</param>
/// <param name="Actor">Who acted (a dashboard user, an API key, "system").</param>
/// <param name="Attempts">Attempts the job made.</param>
/// <param name="Error">The last exception's message, when the job just failed.</param>
/// <param name="FirstTime">The dead letter was written now, not found open from an earlier try of the same state change.</param>
/// <param name="JobGone">A requeue found the job no longer in Hangfire (expired, or the retired engine's).</param>
public sealed record DeadLetterEvent(
    long DeadLetterId, long JobId, DeadLetterSubject Subject, string Actor, int Attempts = 0, string? Error = null,
    bool FirstTime = false, bool JobGone = false);
