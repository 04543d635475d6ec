using FollowUp.Jobs.Engine;
using FollowUp.Web.Dashboard.Access;
using Hangfire;
using Hangfire.Dashboard;

namespace FollowUp.Web.Dashboard;

/// <summary>
/// The stock Hangfire dashboard at <c>/hangfire</c>, behind FollowUp's own sign-in: the endpoint
/// requires the viewer policy (an anonymous visitor is sent to <c>/dashboard/login</c>), a viewer sees it
/// read-only (no buttons, and Hangfire refuses the POST with 401), operators and admins act, and only an
/// admin deletes a recurring job (an operator's delete is refused with 403 before Hangfire sees it). Every
/// command taken there (not the pages' 2-second stats poll, which changes nothing) is written to the
/// audit log with the user, who is also the actor the dead-letter filter records on a requeue.
/// "Dead letters" is in its menu, with the open count as its badge.
/// </summary>
internal static class HangfireDashboard
{
    public const string Path = "/hangfire";

    private static readonly object MenuGate = new();
    private static bool _menuAdded;

    public static IEndpointConventionBuilder MapFollowUpHangfireDashboard(this WebApplication app)
    {
        AddDeadLettersToMenu();
        app.UseWhen(c => c.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsPost(c.Request.Method),
            branch => branch.Use(AuditAsync));
        return app.MapHangfireDashboard(Path, new Hangfire.DashboardOptions
        {
            AppPath = "/dashboard",
            DashboardTitle = "FollowUp jobs",
            // Access is decided by the endpoint's authorization policy (our cookie sign-in), not here.
            Authorization = [],
            IsReadOnlyFunc = context => !((AspNetCoreDashboardContext)context).HttpContext.User.IsInRole(DashboardRoles.Operator),
            DisplayStorageConnectionString = false,
            DarkModeEnabled = false,
        }).RequireAuthorization(DashboardRoles.Viewer);
    }

    /// <summary>
    /// Hangfire's navigation menu and metrics are process-wide statics: added once, resolving the
    /// count from the request's own services so each host reads its own database.
    /// </summary>
    private static void AddDeadLettersToMenu()
    {
        lock (MenuGate)
        {
            if (_menuAdded)
            {
                return;
            }

            var openDeadLetters = new DashboardMetric("followup:dead-letters", "Open dead letters", page =>
            {
                var services = ((AspNetCoreDashboardContext)page.Context).HttpContext.RequestServices;
                var count = services.GetRequiredService<FollowUp.Jobs.Engine.DeadLetters>().CountOpenAsync(CancellationToken.None).GetAwaiter().GetResult();
                return new Metric(count) { Style = count > 0 ? MetricStyle.Danger : MetricStyle.Default };
            });
            DashboardMetrics.AddMetric(openDeadLetters);
            NavigationMenu.Items.Add(page => new MenuItem("Dead letters", "/dashboard/deadletters")
            {
                Metric = openDeadLetters,
            });
            _menuAdded = true;
        }
    }

    /// <summary>
    /// Whether a POST to <paramref name="path"/> (below <c>/hangfire</c>) is a command that changes jobs:
    /// Hangfire's commands live under <c>jobs/</c> and <c>recurring/</c>; its other POST, <c>stats</c>, is
    /// the counters' poll every open page sends every 2 s, and auditing it wrote a row per poll per tab.
    /// </summary>
    internal static bool IsCommand(string path)
    {
        var first = path.Trim('/').Split('/')[0];
        return first.Equals("jobs", StringComparison.OrdinalIgnoreCase) || first.Equals("recurring", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Hangfire has one read-only switch for the whole dashboard, so an operator (who triggers recurring
    /// jobs) would also delete them; the delete command is refused here for anyone below admin.
    /// </summary>
    internal static bool IsAdminOnly(string path) =>
        path.Trim('/').Equals("recurring/remove", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The audit entry of a dashboard command: "jobs/actions/requeue/12" → ("hangfire.requeue", "job 12");
    /// "jobs/failed/requeue" with jobs[] 1, 2 → ("hangfire.requeue", "jobs 1, 2");
    /// "recurring/trigger" with jobs[] a → ("hangfire.recurring.trigger", "recurring a").
    /// </summary>
    internal static (string Action, string Target) Describe(string path, IReadOnlyList<string?> ids)
    {
        var segments = path.Trim('/').Split('/');
        if (segments is ["jobs", "actions", var verb, var id])
        {
            return ($"hangfire.{verb}", $"job {id}");
        }

        var listed = string.Join(", ", ids);
        return segments[0] == "recurring"
            ? ($"hangfire.recurring.{segments[^1]}", $"recurring {listed}")
            : ($"hangfire.{segments[^1]}", ids.Count > 0 ? $"jobs {listed}" : string.Join('/', segments));
    }

    /// <summary>Records who acted, on what, and whether Hangfire accepted it; the action runs as that user.</summary>
    private static async Task AuditAsync(HttpContext context, RequestDelegate next)
    {
        var user = context.User.Identity?.Name;
        var path = context.Request.Path.Value![Path.Length..];
        if (user is null || !IsCommand(path))
        {
            await next(context);
            return;
        }

        if (IsAdminOnly(path) && !context.User.IsInRole(DashboardRoles.Admin))
        {
            // Refused before Hangfire acts: nothing changed, so nothing is audited (as every refusal).
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Only an admin may delete recurring jobs; operators may trigger them.", context.RequestAborted);
            return;
        }

        context.Request.EnableBuffering();
        var jobs = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync(context.RequestAborted))["jobs[]"].ToArray()
            : [];
        context.Request.Body.Position = 0;
        using (JobActor.Push(user))
        {
            await next(context);
        }

        var (action, target) = Describe(path, jobs);
        var audit = context.RequestServices.GetRequiredService<AuditLog>();
        await audit.WriteAsync(user, action, target, null, new { status = context.Response.StatusCode }, CancellationToken.None);
    }
}
