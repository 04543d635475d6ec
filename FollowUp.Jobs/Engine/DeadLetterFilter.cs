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
/// <c>dead_letters</c> row and its message, if it sends one, becomes <c>dead_lettered</c>; the Failed
/// state's reason names the dead letter;</item>
/// <item>a Failed job requeued by any door (the stock dashboard's Requeue button, our API and pages all
/// end in Hangfire's Failed → Enqueued) starts a fresh series of attempts: <c>RetryCount</c> is reset,
/// the dead letter is marked Requeued with who and when, the message returns to <c>scheduled</c>;</item>
/// <item>a Failed job deleted from the dashboard marks its dead letter Discarded.</item>
/// </list>
/// </summary>
/// <remarks>
/// The rows live in FollowUp's tables, not Hangfire's, so they are written through <see cref="DeadLetterLog"/>
/// outside Hangfire's transaction. Each write is idempotent (one open dead letter per job), so a state
/// change that is retried after a failure writes nothing twice. If the write fails the exception stops
/// the state change: the job stays where it was and Hangfire tries again, so no dead letter is lost.
/// </remarks>
internal sealed class DeadLetterFilter(DeadLetterLog deadLetters, ILogger<DeadLetterFilter> logger) : IElectStateFilter, IApplyStateFilter
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
            MessageIdOf(job.Job),
            attempts,
            failed.Reason,
            failed.Exception,
            NotificationIdOf(job.Job));
        var id = deadLetters.RecordAsync(letter, CancellationToken.None).GetAwaiter().GetResult();
        failed.Reason = $"Dead-lettered as #{id}. {failed.Reason}";
        logger.LogError(failed.Exception, "Job {JobId} dead-lettered as {DeadLetterId} after {Attempts} attempt(s)", job.Id, id, attempts);
    }

    /// <inheritdoc />
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.Equals(context.OldStateName, FailedState.StateName, StringComparison.Ordinal))
        {
            return;
        }

        var jobId = long.Parse(context.BackgroundJob.Id, CultureInfo.InvariantCulture);
        var messageId = MessageIdOf(context.BackgroundJob.Job);
        var notificationId = NotificationIdOf(context.BackgroundJob.Job);
        switch (context.NewState)
        {
            case EnqueuedState or ScheduledState:
                // A fresh series of attempts, whichever door the requeue came through.
                context.Connection.SetJobParameter(context.BackgroundJob.Id, FixedRetryAttribute.RetryCountParameter, "0");
                deadLetters.MarkRequeuedAsync(jobId, messageId, notificationId, JobActor.Current, CancellationToken.None).GetAwaiter().GetResult();
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

    /// <summary>The message a job sends: its argument named <c>messageId</c>, when it has one.</summary>
    internal static long? MessageIdOf(Job? job) => IdArgument(job, "messageId");

    /// <summary>The business notification a job delivers: its argument named <c>notificationId</c>, when it has one.</summary>
    internal static long? NotificationIdOf(Job? job) => IdArgument(job, "notificationId");

    private static long? IdArgument(Job? job, string name)
    {
        if (job is null)
        {
            return null;
        }

        var parameters = job.Method.GetParameters();
        for (var i = 0; i < parameters.Length && i < job.Args.Count; i++)
        {
            if (parameters[i].Name == name && job.Args[i] is long id)
            {
                return id;
            }
        }

        return null;
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
