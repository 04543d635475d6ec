using NodaTime;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>The outcome of a sign-in attempt; <see cref="User"/> is set only when it succeeded.</summary>
internal sealed record SignInResult(DashboardUser? User, string? Error, Instant? LockedUntil = null)
{
    public bool Succeeded => User is not null;
}
