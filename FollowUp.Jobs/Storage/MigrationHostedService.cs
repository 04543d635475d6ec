using Microsoft.Extensions.Hosting;

namespace FollowUp.Jobs.Storage;

/// <summary>Applies migrations at start-up, before the worker and the scheduler start.</summary>
internal sealed class MigrationHostedService(MigrationRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
