using FollowUp.Jobs;
using FollowUp.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FollowUp.Tests.Support;

/// <summary>A standalone Hangfire server node (FollowUp's configuration), configured from the environment; it runs any job in its assemblies.</summary>
internal static class WorkerNode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddFollowUpJobs(builder.Configuration);
        using var host = builder.Build();
        await host.RunAsync();
        return 0;
    }

    public static async Task<int> MigrateAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var connectionString = builder.Configuration[FollowUpJobsServiceCollectionExtensions.ConnectionStringKey]
            ?? throw new InvalidOperationException("ConnectionStrings__FollowUp is required.");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        DapperConfiguration.Apply();
        var applied = await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
        Console.WriteLine($"applied: {string.Join(",", applied)}");
        return 0;
    }
}
