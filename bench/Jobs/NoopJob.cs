using FollowUp.Jobs.Engine;

namespace FollowUp.Bench.Jobs;

public sealed record NoopArgs(int N);

/// <summary>Does nothing: measures the engine, not the work.</summary>
[JobType("bench.noop")]
public sealed class NoopJob : IJob<NoopArgs>
{
    public Task ExecuteAsync(NoopArgs args, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
