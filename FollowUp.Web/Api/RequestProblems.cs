namespace FollowUp.Web.Api;

/// <summary>
/// Every refusal of a request is a problem document (RFC 7807), also those no endpoint of ours writes:
/// ASP.NET Core's own 415 for a body that is not JSON (<c>[Consumes]</c>, <c>Accepts</c>), Kestrel's 400 for a body
/// it cannot read, and <see cref="WireTextMiddleware"/>'s 400 for query strings that are not text.
/// </summary>
internal static class RequestProblems
{
    public static IServiceCollection AddRequestProblems(this IServiceCollection services)
    {
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Only the JSON endpoints declare a content type, so a 415 here always means "send JSON".
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Detail ??= $"The body must be application/json; the request's Content-Type is '{context.HttpContext.Request.ContentType}'.";
            }
        });
        return services;
    }

    /// <summary>After the exception handler: bare error statuses on the API and webhooks get a body, and the text rule runs.</summary>
    public static WebApplication UseRequestProblems(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The dashboard's pages keep their own answers (a sign-in redirect, a page); machines get documents.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api") || c.Request.Path.StartsWithSegments("/webhooks"),
            b => b.UseStatusCodePages());
        app.UseMiddleware<WireTextMiddleware>();
        return app;
    }
}
