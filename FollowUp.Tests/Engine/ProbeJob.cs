using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using FollowUp.Jobs.Engine;
using Hangfire.Server;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>
/// A job a test scripts by key: it records each run (attempt, server) and then succeeds, fails,
/// fails permanently, or defers, as its behaviour says. Static, because Hangfire activates a new
/// instance per run; keys keep tests apart.
/// </summary>
public static class ProbeJob
{
    public static ConcurrentDictionary<string, ConcurrentQueue<ProbeRun>> Runs { get; } = new();

    public static IReadOnlyList<ProbeRun> RunsOf(string key) => Runs.TryGetValue(key, out var runs) ? runs.ToArray() : [];

    /// <summary>
    /// <paramref name="behaviour"/>: "ok"; "fail" (transient); "permanent"; "classified-permanent" /
    /// "classified-transient" (an <see cref="IClassifiedFailure"/>); "defer-once" (deferred 1 s on the first
    /// run, then ok); "fail-once" (fails on the first run only); "sleep:N" (N ms, then ok).
    /// </summary>
    [DisplayName("probe {0} ({1})")]
    public static async Task RunAsync(string key, string behaviour, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var attempt = context.GetJobParameter<int>(FixedRetryAttribute.RetryCountParameter) + 1;
        var runs = Runs.GetOrAdd(key, _ => new ConcurrentQueue<ProbeRun>());
        runs.Enqueue(new ProbeRun(long.Parse(context.BackgroundJob.Id, CultureInfo.InvariantCulture), attempt, context.ServerId));
        switch (behaviour)
        {
            case "fail":
                throw new InvalidOperationException($"probe {key} failed on attempt {attempt}");
            case "fail-once" when runs.Count == 1:
                throw new InvalidOperationException($"probe {key} failed once");
            case "permanent":
                throw new PermanentJobException($"probe {key} can never succeed");
            case "classified-permanent":
                throw new ClassifiedException(permanent: true);
            case "classified-transient":
                throw new ClassifiedException(permanent: false);
            case "defer-once" when runs.Count == 1:
                throw new JobDeferredException(SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(1), "not now");
            default:
                if (behaviour.StartsWith("sleep:", StringComparison.Ordinal))
                {
                    await Task.Delay(int.Parse(behaviour[6..], CultureInfo.InvariantCulture), cancellationToken);
                }

                break;
        }
    }

    private sealed class ClassifiedException(bool permanent) : Exception(permanent ? "refused for good" : "try later"), IClassifiedFailure
    {
        public bool IsPermanent { get; } = permanent;
    }
}

/// <summary>One run of a <see cref="ProbeJob"/>.</summary>
public sealed record ProbeRun(long JobId, int Attempt, string Server);

/// <summary>A job type with its own retry: one attempt only.</summary>
[FixedRetry(Attempts = 1)]
public static class OneShotJob
{
    public static ConcurrentQueue<long> Runs { get; } = new();

    public static Task RunAsync(PerformContext? context)
    {
        Runs.Enqueue(long.Parse(context!.BackgroundJob.Id, CultureInfo.InvariantCulture));
        throw new InvalidOperationException("one shot");
    }
}
