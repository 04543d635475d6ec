using System.Runtime.CompilerServices;
using System.Text.Json;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>Live counters for every dashboard page, as Server-Sent Events.</summary>
internal static class LiveEndpoints
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapDashboardLive(this IEndpointRouteBuilder app)
    {
        // GET /dashboard/live    text/event-stream: "counters" events {counts: {"job:Failed": n, ...}, countedAt}
        //                        every 2 s; the browser's EventSource reconnects after a drop or restart.
        //                        429 beyond the per-user or per-node number of open streams.
        app.MapGet("/dashboard/live", Stream).RequireAuthorization(DashboardRoles.Viewer).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Stream(
        HttpContext context, OverviewQueries queries, DashboardUsers users, LiveStreams streams, IOptions<DashboardOptions> options,
        IClock clock, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var name = context.User.Identity!.Name!;
        var (lease, refusal) = streams.TryOpen(name);
        if (lease is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many live streams", detail: refusal);
        }

        context.Response.RegisterForDispose(lease);
        // The session's end as the cookie says now; a renewal in this response only moves it later, and
        // the browser reconnects with the renewed cookie.
        var ticket = await context.AuthenticateAsync(DashboardServiceCollectionExtensions.Scheme);
        var expires = ticket.Properties?.ExpiresUtc is { } at ? Instant.FromDateTimeOffset(at) : (Instant?)null;
        // The absolute lifetime ends a stream too, even while the idle expiry keeps sliding.
        if (DashboardServiceCollectionExtensions.SessionEnd(context.User, options.Value) is { } end && (expires is null || end < expires))
        {
            expires = end;
        }

        var check = new StreamCheck(users, clock, context.User, options.Value, expires, Duration.FromSeconds(options.Value.LiveRecheckSeconds));
        return TypedResults.ServerSentEvents(Counters(queries, check, lifetime.ApplicationStopping, cancellationToken), eventType: "counters");
    }

    /// <summary>
    /// Until the browser goes away, this node begins to stop (an open stream would otherwise hold up a
    /// graceful shutdown for its whole timeout; the browser reconnects to whichever node serves it
    /// next), the session expires, or the session stops being current — the user disabled or deleted, signed
    /// out elsewhere, a new password or role (re-read every
    /// <see cref="DashboardOptions.LiveRecheckSeconds"/>: the cookie is validated once, when the stream opens).
    /// </summary>
    private static async IAsyncEnumerable<string> Counters(
        OverviewQueries queries, StreamCheck check, CancellationToken stopping, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, requestAborted);
        var cancellationToken = linked.Token;
        using var timer = new PeriodicTimer(Interval);
        do
        {
            if (!await check.StillAllowedAsync(cancellationToken))
            {
                yield break;
            }

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

    private sealed class StreamCheck(
        DashboardUsers users, IClock clock, System.Security.Claims.ClaimsPrincipal principal, DashboardOptions options, Instant? expires, Duration every)
    {
        private Instant _checkedAt = clock.GetCurrentInstant();

        public async Task<bool> StillAllowedAsync(CancellationToken cancellationToken)
        {
            var now = clock.GetCurrentInstant();
            if (expires is { } end && now >= end)
            {
                return false;
            }

            if (now - _checkedAt < every)
            {
                return true;
            }

            _checkedAt = now;
            // The same test as every request's: a sign-out, password or role change elsewhere ends the stream too.
            var user = await users.FindAsync(principal.Identity!.Name!, cancellationToken);
            return DashboardServiceCollectionExtensions.SessionIsCurrent(principal, user, now, options);
        }
    }
}
