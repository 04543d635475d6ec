using System.Runtime.CompilerServices;
using System.Text.Json;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Http.HttpResults;

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

    private static ServerSentEventsResult<string> Stream(OverviewQueries queries, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Counters(queries, lifetime.ApplicationStopping, cancellationToken), eventType: "counters");

    /// <summary>
    /// Until the browser goes away or this node begins to stop (an open stream would otherwise hold up
    /// a graceful shutdown for its whole timeout; the browser reconnects to whichever node serves it next).
    /// </summary>
    private static async IAsyncEnumerable<string> Counters(
        OverviewQueries queries, CancellationToken stopping, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, requestAborted);
        var cancellationToken = linked.Token;
        using var timer = new PeriodicTimer(Interval);
        do
        {
            var counts = await queries.CountsAsync(cancellationToken);
            yield return JsonSerializer.Serialize(new
            {
                counts = counts.Counts,
                countedAt = counts.CountedAt is { } at ? Format.Time(at) : null,
            });
        }
        while (await Tick(timer, cancellationToken));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
