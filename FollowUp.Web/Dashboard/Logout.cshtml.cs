using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard;

/// <summary>Sign-out (POST only, with the anti-forgery token like every POST).</summary>
internal sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/dashboard");

    [RequiresRole(DashboardRoles.Viewer)]
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(DashboardServiceCollectionExtensions.Scheme);
        return Redirect("/dashboard/login");
    }
}
