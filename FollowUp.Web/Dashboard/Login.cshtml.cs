using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FollowUp.Web.Dashboard;

/// <summary>Cookie sign-in (anonymous). The session slides: it ends after the configured idle time.</summary>
internal sealed class LoginModel(DashboardUsers users) : PageModel
{
    public string? Error { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [RequiresRole("")]
    public IActionResult OnGet() =>
        User.Identity?.IsAuthenticated == true ? Redirect("/dashboard") : Page();

    [RequiresRole("")]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrEmpty(Password))
        {
            Error = "Enter your user name and password.";
            return Page();
        }

        var result = await users.SignInAsync(Name.Trim(), Password, cancellationToken);
        if (!result.Succeeded)
        {
            Error = result.Error;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(DashboardServiceCollectionExtensions.Scheme,
            DashboardServiceCollectionExtensions.PrincipalFor(result.User!), new AuthenticationProperties());
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith("/dashboard", StringComparison.OrdinalIgnoreCase)
            ? ReturnUrl
            : "/dashboard");
    }
}
