using FollowUp.Jobs.Telemetry;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Counts every webhook FollowUp refuses (<c>followup.webhooks.rejected</c>, by route template and reason),
/// whoever refused it: the controller (signature, validation, unknown client), the request checks before it
/// (a body that is not the right media type, text that cannot be stored) or the node's limiter (busy). One
/// place that reads the answer's status, so no refusal path can forget to count.
/// </summary>
internal static class WebhookRejections
{
    private static readonly PathString Webhooks = new("/webhooks");

    /// <summary>Before the request checks and the rate limiter, so their refusals are counted too.</summary>
    public static IApplicationBuilder UseWebhookRejectionMetrics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.ApplicationServices.GetRequiredService<FollowUpMetrics>();
        return app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(Webhooks))
            {
                await next(context);
                return;
            }

            try
            {
                await next(context);
            }
            catch
            {
                metrics.WebhookRejected(Route(context), "error");
                throw;
            }

            if (Reason(context.Response.StatusCode) is { } reason)
            {
                metrics.WebhookRejected(Route(context), reason);
            }
        });
    }

    /// <summary>The reason a status answers for, or null for an accepted webhook.</summary>
    internal static string? Reason(int status) => status switch
    {
        < 400 => null,
        StatusCodes.Status400BadRequest => "malformed",
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => "signature",
        StatusCodes.Status404NotFound => "unknown_client",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "media_type",
        StatusCodes.Status422UnprocessableEntity => "validation",
        StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable => "overloaded",
        >= 500 => "error",
        _ => "other",
    };

    // The route template (webhooks/retell/{clientId}), never the path: a path holds a client id or junk.
    private static string Route(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
}
