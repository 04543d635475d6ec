using System.Collections.Concurrent;
using System.ComponentModel;

namespace FollowUp.Tests.Support.Jobs;

/// <summary>Counts its runs, and the distinct numbers it ran for (the bench hosts the server in-process).</summary>
public static class CountingJob
{
    private static ConcurrentDictionary<int, int> _seen = new();
    private static long _runs;

    public static long Runs => Interlocked.Read(ref _runs);

    public static int Distinct => _seen.Count;

    public static void Reset()
    {
        _seen = new ConcurrentDictionary<int, int>();
        Interlocked.Exchange(ref _runs, 0);
    }

    [DisplayName("bench count {0}")]
    public static Task RunAsync(int n)
    {
        Interlocked.Increment(ref _runs);
        _seen.AddOrUpdate(n, 1, (_, c) => c + 1);
        return Task.CompletedTask;
    }
}
