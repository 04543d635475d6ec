namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// The dashboard's roles, each including the one before: a viewer reads, an operator also acts on jobs
/// and messages, an admin also manages users. Policies carry the same names.
/// </summary>
internal static class DashboardRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Operator, Admin];

    /// <summary>The roles a user of <paramref name="role"/> holds (its own and every lesser one).</summary>
    public static IEnumerable<string> Implied(string role) => role switch
    {
        Admin => [Viewer, Operator, Admin],
        Operator => [Viewer, Operator],
        Viewer => [Viewer],
        _ => [],
    };

    public static bool IsValid(string? role) => role is Viewer or Operator or Admin;
}
