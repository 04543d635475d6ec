using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace FollowUp.Web.Health;

/// <summary>Liveness (the process answers) and readiness (database, worker, scheduler).</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapFollowUpHealth(this IEndpointRouteBuilder app)
    {
        // GET /health/live   200 while the process serves requests; runs no checks
        // GET /health/ready  200 when the database answers and this process's Hangfire server (if any) has announced itself; else 503
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}
