using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace FollowUp.Web.Dashboard;

/// <summary>
/// Cookie sign-in (anonymous). The session slides: it ends after the configured idle time, and in any
/// case the configured number of hours after this sign-in.
/// </summary>
internal sealed class LoginModel(DashboardUsers users, IClock clock) : PageModel
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

        // The client's address as the forwarded-headers middleware leaves it (behind a configured proxy,
        // the client's own): failures are throttled per name and address.
        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var result = await users.SignInAsync(Name.Trim(), Password, address, cancellationToken);
        if (!result.Succeeded)
        {
            Error = result.Error;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(DashboardServiceCollectionExtensions.Scheme,
            DashboardServiceCollectionExtensions.PrincipalFor(result.User!, clock.GetCurrentInstant()), new AuthenticationProperties());
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith("/dashboard", StringComparison.OrdinalIgnoreCase)
            ? ReturnUrl
            : "/dashboard");
    }
}
