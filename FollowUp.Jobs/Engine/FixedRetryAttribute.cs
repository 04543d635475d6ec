using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Retries a failed job on a fixed schedule: <see cref="Attempts"/> attempts in all, each
/// <see cref="DelaySeconds"/> after the previous one failed. Registered globally in place of Hangfire's
/// <c>AutomaticRetryAttribute</c> (which is removed, so only this one retries), from
/// <c>FollowUp:Retry</c>; put it on a job class or method to override it for that job.
/// </summary>
/// <remarks>
/// <para>An exception that marks itself permanent (<see cref="PermanentJobException"/>, or an
/// <see cref="IClassifiedFailure"/> that says so) skips the remaining attempts. A
/// <see cref="JobDeferredException"/> reschedules the job to its instant without spending an attempt.</para>
/// <para>When attempts run out the candidate state stays <see cref="FailedState"/>, so the stock
/// dashboard's Failed page lists the job with its Requeue button; <see cref="DeadLetterFilter"/> then
/// writes the dead-letter row. The attempt count is Hangfire's own <c>RetryCount</c> job parameter
/// (attempts made minus one); a requeue from a Failed state resets it.</para>
/// <para>A job waiting for its next attempt is in Hangfire's <c>retries</c> set, as Hangfire's own retry
/// filter keeps it (added when the retry is scheduled, removed when it leaves Scheduled), so the stock
/// dashboard's Retries page and its badge list it. Written through Hangfire's transaction, never by hand.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class FixedRetryAttribute : JobFilterAttribute, IElectStateFilter, IApplyStateFilter
{
    /// <summary>The job parameter that counts retries, shared with Hangfire's dashboard ("Retry attempt").</summary>
    public const string RetryCountParameter = "RetryCount";

    /// <summary>Hangfire's set of jobs waiting for a retry (its Retries page).</summary>
    public const string RetriesSet = "retries";

    /// <summary>How the reason of a scheduled retry begins ("Attempt 2 of 3 in 60 s; …"); a deferral's does not.</summary>
    public const string RetryReasonPrefix = "Attempt ";

    /// <summary>The filter order: after filters that change the candidate, before <see cref="DeadLetterFilter"/>.</summary>
    public const int FilterOrder = 20;

    /// <summary>The filter with <see cref="FilterOrder"/>; set <see cref="Attempts"/> and the delay to override <c>FollowUp:Retry</c> for one job type or method.</summary>
    public FixedRetryAttribute() => Order = FilterOrder;

    /// <summary>Attempts in all, the first included. At least 1.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Seconds between a failed attempt and the next. At least 0.</summary>
    public int DelaySeconds { get; init; } = 60;

    /// <summary>
    /// The clock a retry's due time is counted from. Always the system's outside tests: Hangfire's
    /// scheduler compares due times with the real time, so a fake clock here would schedule wrongly.
    /// </summary>
    internal IClock Clock { get; init; } = SystemClock.Instance;

    /// <inheritdoc />
    public void OnStateElection(ElectStateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CandidateState is not FailedState failed)
        {
            return;
        }

        var exception = failed.Exception;
        if (Unwrap<JobDeferredException>(exception) is { } deferred)
        {
            // Deferral is not a failure: no attempt is spent.
            // An instant already past is enqueued by the next scheduler pass.
            // Rounded up: Hangfire drops the fraction of a second and would start it before its instant.
            context.CandidateState = new ScheduledState(HangfireTime.NotBefore(deferred.Until))
            {
                Reason = $"Deferred without spending an attempt: {deferred.Message}",
            };
            return;
        }

        var attempt = context.GetJobParameter<int>(RetryCountParameter, allowStale: true) + 1;
        var why = $"{exception.GetType().Name}: {exception.Message}";
        if (PermanentJobException.IsPermanent(exception))
        {
            failed.Reason = $"Permanent failure on attempt {attempt} of {Attempts}, no retry: {why}";
            return;
        }

        if (attempt >= Attempts)
        {
            failed.Reason = $"Attempts exhausted ({attempt} of {Attempts}): {why}";
            return;
        }

        context.SetJobParameter(RetryCountParameter, attempt);
        // Rounded up to a whole second: Hangfire keeps due times in whole seconds (the fraction dropped),
        // so "60 s later" could otherwise start up to a second early.
        var due = HangfireTime.NotBefore(Clock.GetCurrentInstant() + Duration.FromSeconds(DelaySeconds));
        context.CandidateState = new ScheduledState(due)
        {
            Reason = $"{RetryReasonPrefix}{attempt + 1} of {Attempts} in {DelaySeconds} s; attempt {attempt} failed: {why}",
        };
    }

    /// <inheritdoc />
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transaction);
        if (context.NewState is ScheduledState && context.NewState.Reason?.StartsWith(RetryReasonPrefix, StringComparison.Ordinal) == true)
        {
            transaction.AddToSet(RetriesSet, context.BackgroundJob.Id);
        }
    }

    /// <inheritdoc />
    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transaction);
        if (string.Equals(context.OldStateName, ScheduledState.StateName, StringComparison.Ordinal))
        {
            transaction.RemoveFromSet(RetriesSet, context.BackgroundJob.Id);
        }
    }

    private static T? Unwrap<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
