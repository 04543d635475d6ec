using NodaTime;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// A row of <c>dashboard_users</c> (without its password hash). <see cref="SecurityStamp"/> is what every
/// session of the user carries; a new one ends them all.
/// </summary>
internal sealed record DashboardUser(
    string Name, string Role, bool Disabled, Guid SecurityStamp, Instant CreatedAt, Instant UpdatedAt);
