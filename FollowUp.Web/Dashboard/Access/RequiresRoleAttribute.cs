namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// The role a page handler needs. <see cref="RoleFilter"/> enforces it; a POST handler without this
/// attribute needs <see cref="DashboardRoles.Operator"/> (closed by default), a GET handler only
/// what its folder needs (viewer).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RequiresRoleAttribute(string role) : Attribute
{
    public string Role { get; } = role;
}
