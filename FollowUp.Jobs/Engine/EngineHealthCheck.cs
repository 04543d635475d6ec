using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace FollowUp.Jobs.Engine;

/// <summary>Ready when the database answers, the worker runs (if enabled) and Quartz is started.</summary>
internal sealed class EngineHealthCheck(
    NpgsqlDataSource dataSource, JobWorker worker, ISchedulerFactory schedulers, IOptions<EngineOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: cancellationToken));
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Database unreachable", ex);
        }

        if (options.Value.RunWorker && !worker.IsRunning)
        {
            return HealthCheckResult.Unhealthy("Job worker not running");
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (await scheduler.GetStatus(cancellationToken) != SchedulerStatus.Running)
        {
            return HealthCheckResult.Unhealthy("Quartz scheduler not started");
        }

        return HealthCheckResult.Healthy($"Worker in flight: {worker.InFlight}");
    }
}
