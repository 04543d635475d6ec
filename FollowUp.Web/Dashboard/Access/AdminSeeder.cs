using Microsoft.Extensions.Options;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// At start-up (after migrations, which are registered before it): the first admin from
/// <c>FollowUp:Dashboard:AdminPassword</c> when no enabled admin exists. Without the setting and
/// without an admin, nobody can sign in, and a warning says how to fix it.
/// </summary>
internal sealed class AdminSeeder(DashboardUsers users, IOptions<DashboardOptions> options, ILogger<AdminSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AdminPassword is { } password)
        {
            if (await users.EnsureAdminAsync(password, cancellationToken))
            {
                logger.LogInformation("Dashboard user 'admin' created from FollowUp:Dashboard:AdminPassword");
            }

            return;
        }

        if (!(await users.ListAsync(cancellationToken)).Any(u => u.Role == DashboardRoles.Admin && !u.Disabled))
        {
            logger.LogWarning("No dashboard admin exists and FollowUp__Dashboard__AdminPassword is not set: nobody can sign in to /dashboard");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
