using System.Collections.Concurrent;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Engine.Filters;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>In-process probes: what ran, when, and how often. Keyed per test by a unique tag.</summary>
public static class Probe
{
    public static ConcurrentDictionary<string, ConcurrentQueue<(long JobId, int Attempt, Instant At)>> Runs { get; } = new();

    public static ConcurrentDictionary<string, int> Current { get; } = new();

    public static ConcurrentDictionary<string, int> Max { get; } = new();

    public static ConcurrentDictionary<string, Instant> CancelledAt { get; } = new();

    public static void Record(string tag, JobContext context) =>
        Runs.GetOrAdd(tag, _ => new()).Enqueue((context.JobId, context.Attempt, SystemClock.Instance.GetCurrentInstant()));

    public static int Count(string tag) => Runs.TryGetValue(tag, out var q) ? q.Count : 0;
}

public sealed record ProbeArgs(string Tag, int FailTimes = 0, bool Permanent = false, int SleepMs = 0);

/// <summary>Records its run; fails its first <c>FailTimes</c> runs (permanently if asked).</summary>
[JobType("test.probe")]
public sealed class ProbeJob : IJob<ProbeArgs>
{
    public async Task ExecuteAsync(ProbeArgs args, JobContext context, CancellationToken cancellationToken)
    {
        Probe.Record(args.Tag, context);
        var now = Probe.Current.AddOrUpdate(args.Tag, 1, (_, v) => v + 1);
        Probe.Max.AddOrUpdate(args.Tag, now, (_, v) => Math.Max(v, now));
        try
        {
            if (args.SleepMs > 0)
            {
                try
                {
                    await Task.Delay(args.SleepMs, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Probe.CancelledAt[args.Tag] = SystemClock.Instance.GetCurrentInstant();
                    throw;
                }
            }

            if (Probe.Count(args.Tag) <= args.FailTimes)
            {
                throw args.Permanent
                    ? new PermanentJobException($"permanent failure on attempt {context.Attempt}")
                    : new InvalidOperationException($"transient failure on attempt {context.Attempt}");
            }
        }
        finally
        {
            Probe.Current.AddOrUpdate(args.Tag, 0, (_, v) => v - 1);
        }
    }
}

/// <summary>Same as <see cref="ProbeJob"/> but with its own retry: 5 attempts, no delay.</summary>
[JobType("test.probe-five")]
[FixedRetry(Attempts = 5, DelaySeconds = 0)]
public sealed class FiveAttemptsJob : IJob<ProbeArgs>
{
    public Task ExecuteAsync(ProbeArgs args, JobContext context, CancellationToken cancellationToken) =>
        new ProbeJob().ExecuteAsync(args, context, cancellationToken);
}

public sealed record DeferArgs(string Tag, int DeferMs);

/// <summary>Defers itself once by <c>DeferMs</c>, then succeeds.</summary>
[JobType("test.defer")]
public sealed class DeferJob : IJob<DeferArgs>
{
    public Task ExecuteAsync(DeferArgs args, JobContext context, CancellationToken cancellationToken)
    {
        Probe.Record(args.Tag, context);
        if (Probe.Count(args.Tag) == 1)
        {
            throw new JobDeferredException(SystemClock.Instance.GetCurrentInstant() + Duration.FromMilliseconds(args.DeferMs), "outside business hours");
        }

        return Task.CompletedTask;
    }
}

/// <summary>A global perform filter that records every attempt it wraps.</summary>
public sealed class RecordingFilter : IJobPerformFilter
{
    public ConcurrentQueue<string> Seen { get; } = new();

    public async Task OnPerformAsync(PerformContext context, Func<Task> next)
    {
        Seen.Enqueue($"before {context.Job.JobId}/{context.Job.Attempt}");
        await next();
        Seen.Enqueue($"after {context.Job.JobId}/{context.Job.Attempt}");
    }
}

/// <summary>An exception that classifies itself, as provider failures do.</summary>
public sealed class ClassifiedException(bool permanent) : Exception(permanent ? "permanent (classified)" : "transient (classified)"), FollowUp.Jobs.Engine.IClassifiedFailure
{
    public bool IsPermanent { get; } = permanent;
}

public sealed record ClassifiedArgs(string Tag, bool Permanent);

[JobType("test.classified")]
public sealed class ClassifiedFailureJob : IJob<ClassifiedArgs>
{
    public Task ExecuteAsync(ClassifiedArgs args, JobContext context, CancellationToken cancellationToken)
    {
        Probe.Record(args.Tag, context);
        throw new ClassifiedException(args.Permanent);
    }
}
