using System.Runtime.CompilerServices;
using System.Text.Json;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime.Text;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>Live counters for every dashboard page, as Server-Sent Events.</summary>
internal static class LiveEndpoints
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapDashboardLive(this IEndpointRouteBuilder app)
    {
        // GET /dashboard/live    text/event-stream: "counters" events {counts: {"job:Failed": n, ...}, countedAt}
        //                        every 2 s; the browser's EventSource reconnects after a drop or restart
        app.MapGet("/dashboard/live", Stream).RequireAuthorization(DashboardRoles.Viewer).ExcludeFromDescription();
        return app;
    }

    private static ServerSentEventsResult<string> Stream(OverviewQueries queries, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Counters(queries, cancellationToken), eventType: "counters");

    private static async IAsyncEnumerable<string> Counters(OverviewQueries queries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            var counts = await queries.CountsAsync(cancellationToken);
            yield return JsonSerializer.Serialize(new
            {
                counts = counts.Counts,
                countedAt = counts.CountedAt is { } at ? InstantPattern.General.Format(at) : null,
            });
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }
}
