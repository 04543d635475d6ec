using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard.Users;

/// <summary>Admin only (folder policy and handler roles): add users, change roles, disable and enable, set passwords.</summary>
internal sealed class IndexModel(DashboardUsers users, AuditLog audit) : PageModel
{
    public IReadOnlyList<DashboardUser> Users { get; private set; } = [];

    public string? NewName { get; private set; }

    [RequiresRole(DashboardRoles.Admin)]
    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    [RequiresRole(DashboardRoles.Admin)]
    public async Task<IActionResult> OnPostAddAsync(string? name, string? password, string? role, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        var problem = DashboardUsers.CheckName(name) ?? DashboardUsers.CheckPassword(password)
            ?? (DashboardRoles.IsValid(role) ? null : $"The role must be viewer, operator or admin, not '{role}'.");
        if (problem is null && !await users.AddAsync(name!, password!, role!, cancellationToken))
        {
            problem = $"There is already a user named '{name}'.";
        }

        if (problem is not null)
        {
            TempData["Problem"] = problem;
            NewName = name;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync(cancellationToken);
            return Page();
        }

        await audit.WriteAsync(User.Identity!.Name!, "user.add", $"user {name}", null, new { role, disabled = false }, cancellationToken);
        TempData["Notice"] = $"User {name} added as {role}.";
        return RedirectToPage();
    }

    [RequiresRole(DashboardRoles.Admin)]
    public async Task<IActionResult> OnPostUpdateAsync(string? name, string? role, bool disabled, CancellationToken cancellationToken)
    {
        var before = name is null ? null : await users.FindAsync(name, cancellationToken);
        if (before is null)
        {
            return NotFound($"There is no user '{name}'.");
        }

        if (!DashboardRoles.IsValid(role))
        {
            TempData["Problem"] = $"The role must be viewer, operator or admin, not '{role}'.";
            return RedirectToPage();
        }

        if (name == User.Identity!.Name && (disabled || role != DashboardRoles.Admin))
        {
            TempData["Problem"] = "You cannot disable yourself or take away your own admin role; ask another admin.";
            return RedirectToPage();
        }

        await users.UpdateAsync(name!, role!, disabled, cancellationToken);
        await audit.WriteAsync(User.Identity!.Name!, "user.update", $"user {name}",
            new { before.Role, before.Disabled }, new { role, disabled }, cancellationToken);
        TempData["Notice"] = $"User {name} is now {role}{(disabled ? ", disabled" : "")}.";
        return RedirectToPage();
    }

    [RequiresRole(DashboardRoles.Admin)]
    public async Task<IActionResult> OnPostPasswordAsync(string? name, string? password, CancellationToken cancellationToken)
    {
        if (DashboardUsers.CheckPassword(password) is { } problem)
        {
            TempData["Problem"] = problem;
            return RedirectToPage();
        }

        if (name is null || !await users.SetPasswordAsync(name, password!, cancellationToken))
        {
            return NotFound($"There is no user '{name}'.");
        }

        // The password itself is never written anywhere but its hash.
        await audit.WriteAsync(User.Identity!.Name!, "user.password", $"user {name}", null, null, cancellationToken);
        TempData["Notice"] = $"User {name} has a new password; their sessions have ended.";
        return name == User.Identity.Name ? Redirect("/dashboard/login") : RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Users = await users.ListAsync(cancellationToken);
    }
}
