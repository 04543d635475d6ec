using Dapper;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Ready when the database answers and, where this process runs a Hangfire server, that server has
/// announced itself (its heartbeat is in Hangfire's servers list, read through the monitoring API).
/// </summary>
internal sealed class EngineHealthCheck(NpgsqlDataSource dataSource, JobStorage storage, ServerIdentity server, IOptions<EngineOptions> options)
    : IHealthCheck
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

        if (!options.Value.ServerEnabled)
        {
            return HealthCheckResult.Healthy("Database reachable; this process runs no Hangfire server");
        }

        try
        {
            var servers = storage.GetMonitoringApi().Servers();
            var mine = servers.FirstOrDefault(s => s.Name.StartsWith(server.Name, StringComparison.Ordinal));
            return mine is null
                ? HealthCheckResult.Unhealthy($"Hangfire server {server.Name} has not announced itself")
                : HealthCheckResult.Healthy($"Hangfire server {mine.Name}, {mine.WorkersCount} workers, queues {string.Join(", ", mine.Queues)}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("Hangfire storage unreachable", ex);
        }
    }
}
