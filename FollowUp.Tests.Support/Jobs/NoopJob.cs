using System.ComponentModel;

namespace FollowUp.Tests.Support.Jobs;

/// <summary>Does nothing: measures the engine, not the work.</summary>
public static class NoopJob
{
    [DisplayName("bench no-op {0}")]
    public static Task RunAsync(int n) => Task.CompletedTask;
}
