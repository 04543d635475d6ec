using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard;

/// <summary>
/// Sign-out (POST only, with the anti-forgery token like every POST): ends every session of the user,
/// on every node and in every browser (a new security stamp), not only this cookie.
/// </summary>
internal sealed class LogoutModel(DashboardUsers users) : PageModel
{
    public IActionResult OnGet() => Redirect("/dashboard");

    [RequiresRole(DashboardRoles.Viewer)]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await users.EndSessionsAsync(User.Identity!.Name!, cancellationToken);
        await HttpContext.SignOutAsync(DashboardServiceCollectionExtensions.Scheme);
        return Redirect("/dashboard/login");
    }
}
