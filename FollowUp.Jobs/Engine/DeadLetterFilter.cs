using System.Globalization;
using System.Text.Json;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// The dead-letter side of the fixed retry, registered globally after <see cref="FixedRetryAttribute"/>:
/// <list type="bullet">
/// <item>a job elected <see cref="FailedState"/> (attempts exhausted, or permanent) gets a
/// <c>dead_letters</c> row; the Failed state's reason names it;</item>
/// <item>a Failed job requeued by any door (the stock dashboard's Requeue button, our API and pages all
/// end in Hangfire's Failed → Enqueued) starts a fresh series of attempts: <c>RetryCount</c> is reset and
/// an open dead letter is marked Requeued with who and when;</item>
/// <item>a Failed job deleted (the stock Delete, or our Discard) marks its open dead letter Discarded;</item>
/// <item>a job deleted before it ran or failed (the stock Delete on a Scheduled or Enqueued job) is told to its type.</item>
/// </list>
/// What each of those means for the job's subject (its message, its notification) is the job type's
/// <see cref="IDeadLetterHandler"/>, called in the same transaction as the row; the filter knows no domain.
/// </summary>
/// <remarks>
/// The rows live in FollowUp's tables, not Hangfire's, so they are written through <see cref="DeadLetterLog"/>
/// outside Hangfire's transaction. Each write is idempotent (one open dead letter per job), so a state
/// change that is retried after a failure writes nothing twice. If the write fails the exception stops
/// the state change: the job stays where it was and Hangfire tries again, so no dead letter is lost.
/// The code here blocks on those writes (<c>GetAwaiter().GetResult()</c>) because Hangfire's filter
/// interfaces (<see cref="IElectStateFilter"/>, <see cref="IApplyStateFilter"/>) are synchronous; it runs on
/// a worker's or a request's thread with no synchronization context, so blocking cannot deadlock.
/// </remarks>
internal sealed class DeadLetterFilter(DeadLetterLog deadLetters, DeadLetterHandlers handlers, ILogger<DeadLetterFilter> logger)
    : IElectStateFilter, IApplyStateFilter
{
    /// <summary>Its order in the global filters: after every filter that elects (the fixed retry is <see cref="FixedRetryAttribute.FilterOrder"/>).</summary>
    public const int FilterOrder = 1000;

    /// <inheritdoc />
    public void OnStateElection(ElectStateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CandidateState is not FailedState failed)
        {
            return;
        }

        var job = context.BackgroundJob;
        var attempts = context.GetJobParameter<int>(FixedRetryAttribute.RetryCountParameter, allowStale: true) + 1;
        var letter = new NewDeadLetter(
            long.Parse(job.Id, CultureInfo.InvariantCulture),
            job.Job?.Type.FullName ?? "(unknown)",
            job.Job?.Method.Name,
            ArgsJson(job.Job),
            handlers.SubjectOf(job.Job),
            attempts,
            failed.Reason,
            failed.Exception);
        var id = deadLetters.RecordAsync(letter, job.Job, JobActor.Current, CancellationToken.None).GetAwaiter().GetResult();
        failed.Reason = $"Dead-lettered as #{id}. {failed.Reason}";
        logger.LogError(failed.Exception, "Job {JobId} dead-lettered as {DeadLetterId} after {Attempts} attempt(s)", job.Id, id, attempts);
    }

    /// <inheritdoc />
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(context);
        var jobId = long.Parse(context.BackgroundJob.Id, CultureInfo.InvariantCulture);
        if (!string.Equals(context.OldStateName, FailedState.StateName, StringComparison.Ordinal))
        {
            if (context.NewState is DeletedState deleted)
            {
                deadLetters.JobDeletedAsync(jobId, context.BackgroundJob.Job, JobActor.Current, deleted.Reason, CancellationToken.None)
                    .GetAwaiter().GetResult();
            }

            return;
        }

        switch (context.NewState)
        {
            case EnqueuedState or ScheduledState:
                // A fresh series of attempts, whichever door the requeue came through.
                context.Connection.SetJobParameter(context.BackgroundJob.Id, FixedRetryAttribute.RetryCountParameter, "0");
                deadLetters.MarkRequeuedByJobAsync(jobId, JobActor.Current, CancellationToken.None).GetAwaiter().GetResult();
                break;
            case DeletedState:
                deadLetters.MarkDiscardedByJobAsync(jobId, JobActor.Current, CancellationToken.None).GetAwaiter().GetResult();
                break;
        }
    }

    /// <inheritdoc />
    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }

    private static string ArgsJson(Job? job)
    {
        if (job is null)
        {
            return "[]";
        }

        // Cancellation tokens and perform contexts are supplied at run time; they are not arguments.
        var args = job.Method.GetParameters()
            .Select((p, i) => (p, i))
            .Where(x => x.i < job.Args.Count && x.p.ParameterType != typeof(CancellationToken) && x.p.ParameterType.Name != "PerformContext")
            .ToDictionary(x => x.p.Name ?? $"arg{x.i}", x => job.Args[x.i]);
        return JsonSerializer.Serialize(args);
    }
}
