using FollowUp.Web.Dashboard.Access;
using Scalar.AspNetCore;

namespace FollowUp.Web.Api;

/// <summary>
/// The interactive API reference (Scalar) at <c>/api/docs</c>, for signed-in dashboard users. It reads
/// <c>/openapi/v1.json</c>; the reader types their own API key into it (the Bearer scheme), none is
/// embedded in the page, and requests go from the browser straight to this server (no proxy).
/// </summary>
internal static class ApiReference
{
    public const string Path = "/api/docs";

    public static IEndpointRouteBuilder MapFollowUpApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Path, o => o
                .WithTitle("FollowUp API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                // The key lives in the page only (not kept in the browser's storage: the default).
                .AddPreferredSecuritySchemes(ApiOpenApi.Scheme))
            .RequireAuthorization(DashboardRoles.Viewer)
            .ExcludeFromDescription();
        return app;
    }
}
