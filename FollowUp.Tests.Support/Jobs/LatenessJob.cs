using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace FollowUp.Tests.Support.Jobs;

/// <summary>Records how late it started against the instant it was due (the bench hosts the server in-process).</summary>
public static class LatenessJob
{
    public static ConcurrentBag<double> LatenessMs { get; } = [];

    [DisplayName("bench lateness {0}")]
    public static Task RunAsync(long dueUnixMs)
    {
        LatenessMs.Add(BenchClock.UnixMs() - dueUnixMs);
        return Task.CompletedTask;
    }
}

/// <summary>Wall-clock milliseconds for the bench, through NodaTime (the system clock APIs are banned in this repo).</summary>
public static class BenchClock
{
    public static long UnixMs() => NodaTime.SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds();

    public static long Elapsed(long startTimestamp) => (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
