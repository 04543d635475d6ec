using System.Globalization;
using System.Security.Claims;
using FollowUp.Jobs.Engine;
using FollowUp.Web.Dashboard.Access;
using FollowUp.Web.Dashboard.Alerts;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Web.Dashboard;

/// <summary>Composition of the operations dashboard: cookie sign-in, roles, Razor Pages, headers.</summary>
internal static class DashboardServiceCollectionExtensions
{
    public const string Scheme = "Dashboard";
    public const string CookieName = "followup.dashboard";

    public static IServiceCollection AddFollowUpDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection(DashboardOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptions.Validator>();
        services.AddSingleton<DashboardUsers>();
        services.AddSingleton<AuditLog>();
        // The overview's per-status counts and daily sends, recounted by a recurring job on the servers.
        services.AddRecurringJob(Overview.StateCountJob.RecurringId, (recurring, options, engine) =>
            Hangfire.RecurringJobManagerExtensions.AddOrUpdate<Overview.StateCountJob>(recurring, Overview.StateCountJob.RecurringId, EngineOptions.DefaultQueue,
                x => x.RunAsync(CancellationToken.None), RecurringJobRegistration.EverySeconds(engine.StateCountSeconds), options));
        // The analytics rollups' pending changes, folded by a recurring job at the same pace.
        services.AddRecurringJob(Analytics.AnalyticsFoldJob.RecurringId, (recurring, options, engine) =>
            Hangfire.RecurringJobManagerExtensions.AddOrUpdate<Analytics.AnalyticsFoldJob>(recurring, Analytics.AnalyticsFoldJob.RecurringId, EngineOptions.DefaultQueue,
                x => x.RunAsync(CancellationToken.None), RecurringJobRegistration.EverySeconds(engine.StateCountSeconds), options));
        services.AddSingleton<Analytics.AnalyticsQueries>();
        services.AddHostedService<AdminSeeder>();
        services.AddSingleton<DeadLetters.BulkOperations>();
        services.AddSingleton<Messages.MessageQueries>();
        services.AddSingleton<DeadLetters.DeadLetterActions>();
        services.AddSingleton<Overview.OverviewQueries>();
        services.AddSingleton<Overview.LiveStreams>();
        services.AddFollowUpAlerts(configuration);

        services.AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                // "/": the same sign-in guards /dashboard and Hangfire's /hangfire.
                o.Cookie.Path = "/";
                o.LoginPath = "/dashboard/login";
                o.LogoutPath = "/dashboard/logout";
                o.SlidingExpiration = true;
                // A signed-in user whose role does not allow a page gets a 403 saying so, not a redirect.
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    return context.Response.WriteAsync("Your role does not allow this page.", context.HttpContext.RequestAborted);
                };
                o.Events.OnValidatePrincipal = ValidatePrincipalAsync;
            });
        // The idle timeout comes from validated options, so it is applied after binding.
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<DashboardOptions>>((cookie, dashboard) =>
        {
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(dashboard.Value.IdleMinutes);
            cookie.Cookie.SecurePolicy = SecurePolicy(dashboard.Value);
        });
        services.AddOptions<AntiforgeryOptions>().Configure<IOptions<DashboardOptions>>(
            (antiforgery, dashboard) => antiforgery.Cookie.SecurePolicy = SecurePolicy(dashboard.Value));
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<DashboardOptions>>(
            (limiter, dashboard) => limiter.AddPolicy(LoginRateLimitPolicy.Name, new LoginRateLimitPolicy(dashboard.Value)));

        services.AddAuthorizationBuilder()
            .AddPolicy(DashboardRoles.Viewer, p => p.AddAuthenticationSchemes(Scheme).RequireRole(DashboardRoles.Viewer))
            .AddPolicy(DashboardRoles.Operator, p => p.AddAuthenticationSchemes(Scheme).RequireRole(DashboardRoles.Operator))
            .AddPolicy(DashboardRoles.Admin, p => p.AddAuthenticationSchemes(Scheme).RequireRole(DashboardRoles.Admin));

        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        services.AddRazorPages(o =>
            {
                // Pages live by feature under FollowUp.Web/Dashboard/, so the root is the project.
                o.RootDirectory = "/";
                o.Conventions.AuthorizeFolder("/Dashboard", DashboardRoles.Viewer);
                o.Conventions.AuthorizeFolder("/Dashboard/Users", DashboardRoles.Admin);
                o.Conventions.AllowAnonymousToPage("/Dashboard/Login");
                o.Conventions.AddPageApplicationModelConvention("/Dashboard/Login",
                    m => m.EndpointMetadata.Add(new EnableRateLimitingAttribute(LoginRateLimitPolicy.Name)));
            })
            .AddMvcOptions(o => o.Filters.Add<RoleFilter>());
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "followup.antiforgery";
            o.Cookie.Path = "/";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        return services;
    }

    /// <summary>
    /// <c>Secure</c> always, so a session cookie never travels in clear even when a proxy in front
    /// terminates TLS (with <c>SameAsRequest</c> it went out without the flag there). The one exception
    /// is explicit local development over plain HTTP (<see cref="DashboardOptions.AllowInsecureCookies"/>),
    /// which still marks the cookies <c>Secure</c> on an HTTPS request.
    /// </summary>
    private static CookieSecurePolicy SecurePolicy(DashboardOptions options) =>
        options.AllowInsecureCookies ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

    /// <summary>
    /// Every request re-reads the user (one primary-key lookup) and keeps the session only while it is
    /// current (<see cref="SessionIsCurrent"/>): a disabled or deleted user, a changed role or password,
    /// or a sign-out anywhere (a new security stamp) ends it at once on every node, and so does the
    /// absolute lifetime.
    /// </summary>
    private static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var name = context.Principal?.Identity?.Name;
        var user = name is null ? null : await services.GetRequiredService<DashboardUsers>().FindAsync(name, context.HttpContext.RequestAborted);
        if (!SessionIsCurrent(context.Principal!, user, services.GetRequiredService<IClock>().GetCurrentInstant(),
                services.GetRequiredService<IOptions<DashboardOptions>>().Value))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    /// <summary>
    /// Whether a session of <paramref name="principal"/> may go on: its user exists and is enabled, it
    /// carries the user's current security stamp and role, and it began less than
    /// <see cref="DashboardOptions.AbsoluteSessionHours"/> ago. The cookie's own issue time is no use
    /// for the last: the sliding renewal moves it forward, so the sign-in time is a claim of its own.
    /// </summary>
    public static bool SessionIsCurrent(ClaimsPrincipal principal, DashboardUser? user, Instant now, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(options);
        return user is { Disabled: false }
            && principal.FindFirstValue(StampClaim) == user.SecurityStamp.ToString("N")
            && principal.FindFirstValue(RoleClaim) == user.Role
            && SessionEnd(principal, options) is { } end && now < end;
    }

    /// <summary>When the session of <paramref name="principal"/> ends however active it is, or null when it carries no sign-in time.</summary>
    public static Instant? SessionEnd(ClaimsPrincipal principal, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(options);
        return long.TryParse(principal.FindFirstValue(SignedInClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? Instant.FromUnixTimeSeconds(seconds) + Duration.FromHours(options.AbsoluteSessionHours)
            : null;
    }

    /// <summary>The claim that holds the user's own role (the role claims also hold the lesser ones).</summary>
    public const string RoleClaim = "followup:role";

    /// <summary>The user's security stamp when the session began.</summary>
    public const string StampClaim = "followup:stamp";

    /// <summary>When the session began (Unix seconds).</summary>
    public const string SignedInClaim = "followup:signed_in_at";

    public static ClaimsPrincipal PrincipalFor(DashboardUser user, Instant signedInAt)
    {
        ArgumentNullException.ThrowIfNull(user);
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, user.Name), new(RoleClaim, user.Role), new(StampClaim, user.SecurityStamp.ToString("N")),
            new(SignedInClaim, signedInAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        };
        claims.AddRange(DashboardRoles.Implied(user.Role).Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }

    /// <summary>
    /// HTTPS only (unless <see cref="DashboardOptions.AllowInsecureCookies"/>), and security headers on
    /// every dashboard response: a CSP without inline scripts or styles, no framing,
    /// no sniffing, no referrer outside the site.
    /// </summary>
    public static IApplicationBuilder UseDashboardSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var hangfire = context.Request.Path.StartsWithSegments(HangfireDashboard.Path, StringComparison.OrdinalIgnoreCase);
            if (hangfire || context.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase))
            {
                // Secure-only cookies cannot work over plain HTTP (anti-forgery refuses with a 500): say why instead.
                if (!context.Request.IsHttps
                    && !context.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value.AllowInsecureCookies)
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync(
                        "The dashboard is served over HTTPS only. Behind a TLS-terminating proxy, name it in " +
                        "FollowUp:ForwardedHeaders:KnownProxies; for local development over plain HTTP, set " +
                        "FollowUp:Dashboard:AllowInsecureCookies (./run.sh does).", context.RequestAborted);
                    return;
                }

                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    // Hangfire's pages set a few style attributes (progress bars, graphs): on /hangfire only,
                    // inline styles are allowed; scripts stay 'self' everywhere (docs/DASHBOARD.md).
                    headers.ContentSecurityPolicy =
                        $"default-src 'self'; script-src 'self'; style-src 'self'{(hangfire ? " 'unsafe-inline'" : "")}; img-src 'self' data:; " +
                        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";
                    headers.XFrameOptions = "DENY";
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "same-origin";
                    headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }

            await next();
        });
}
