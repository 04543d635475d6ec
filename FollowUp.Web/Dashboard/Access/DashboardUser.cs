using NodaTime;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>A row of <c>dashboard_users</c> (without its password hash).</summary>
internal sealed record DashboardUser(
    string Name, string Role, bool Disabled, int FailedAttempts, Instant? LockedUntil, Instant CreatedAt, Instant UpdatedAt);
