using System.Diagnostics;
using FollowUp.Jobs.Engine.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

internal sealed partial class JobWorker
{
    /// <summary>Performs one claimed attempt and stores its outcome.</summary>
    private async Task RunAsync(RunningJob running)
    {
        var job = running.Job;
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = job.Id, ["JobType"] = job.Type, ["Attempt"] = job.Attempt });
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            await PerformAsync(job, running.Cancellation.Token);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        metrics.Duration(job.Type, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        try
        {
            if (failure is null)
            {
                // Checkpoint: the work is done but not yet recorded. A crash before the batched write
                // lands leaves the job Processing; it is rescued and runs again (at least once).
                await _succeeded.Writer.WriteAsync(running);
                return;
            }

            await StoreFailureAsync(running, failure);
        }
        finally
        {
            running.Cancellation.Dispose();
            FreeSlot(running);
        }
    }

    private async Task PerformAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        var descriptor = registry.Find(job.Type)
            ?? throw new PermanentJobException($"No job type '{job.Type}' is registered on node {node.Id}.");
        object args;
        try
        {
            args = JobSerializer.Deserialize(job.Args, descriptor.ArgsType);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new PermanentJobException($"Arguments of job {job.Id} do not fit {descriptor.ArgsType.Name}: {ex.Message}", ex);
        }

        await using var scope = scopes.CreateAsyncScope();
        var context = new JobContext(job.Id, job.Type, job.Attempt, job.RunAt, node.Id);
        var instance = scope.ServiceProvider.GetRequiredService(descriptor.JobClass);
        Func<Task> pipeline = () => descriptor.Invoke(instance, args, context, cancellationToken);
        var performContext = new PerformContext(context, args, scope.ServiceProvider);
        foreach (var filter in filters.PerformFilters(descriptor).Reverse())
        {
            var next = pipeline;
            pipeline = () => filter.OnPerformAsync(performContext, next);
        }

        await pipeline();
    }

    private async Task StoreFailureAsync(RunningJob running, Exception failure)
    {
        var job = running.Job;
        try
        {
            if (running.LeaseLost)
            {
                logger.LogWarning("Job {JobId} attempt {Attempt} ended after its claim was lost; its outcome is discarded", job.Id, job.Attempt);
                return;
            }

            var now = clock.GetCurrentInstant();
            JobTransition transition;
            if (failure is OperationCanceledException && _jobsCts.IsCancellationRequested)
            {
                transition = new JobTransition(job.Id, [JobState.Processing], JobState.Enqueued)
                {
                    ClaimedBy = node.Id,
                    Attempt = job.Attempt,
                    RunAt = now,
                    AttemptChange = AttemptChange.Refund,
                    Reason = $"Released at shutdown of node {node.Id}",
                };
            }
            else
            {
                transition = elector.ForFailure(job.Id, job.Type, job.Attempt, job.RunAt, node.Id, failure, node.Id, now);
            }

            var from = await store.TransitionAsync(transition, node.Id, now, null, CancellationToken.None);
            if (from is null)
            {
                logger.LogWarning("Job {JobId} attempt {Attempt}: claim lost before its outcome was stored", job.Id, job.Attempt);
                return;
            }

            switch (transition.To)
            {
                case JobState.Failed:
                    metrics.Failed(job.Type);
                    logger.LogWarning(failure, "Job {JobId} attempt {Attempt} failed; retry at {RunAt}", job.Id, job.Attempt, transition.RunAt);
                    break;
                case JobState.DeadLettered:
                    metrics.Failed(job.Type);
                    metrics.DeadLettered(job.Type);
                    logger.LogError(failure, "Job {JobId} dead-lettered after attempt {Attempt}: {Reason}", job.Id, job.Attempt, transition.Reason);
                    break;
                default:
                    logger.LogInformation("Job {JobId} moved to {State}: {Reason}", job.Id, transition.To, transition.Reason);
                    break;
            }

            if (transition.RunAt is { } runAt)
            {
                OnEnqueued(runAt);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The row stays Processing; after its lease runs out the rescue records the attempt.
            logger.LogError(ex, "Could not store the outcome of job {JobId} attempt {Attempt}", job.Id, job.Attempt);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
        }
    }
}
