using FollowUp.Web.Api.Idempotency;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing;

namespace FollowUp.Web.Api;

internal static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// What the /api endpoints need beyond the engine: the Idempotency-Key store, and one answer to a
    /// parameter that does not bind (<c>?before=yesterday</c> where a number is wanted): a 400 problem
    /// document naming the parameter and the value, in every environment. Left to the defaults, it is
    /// an exception in Development — which the exception handler turns into a 500 — and an empty 400
    /// elsewhere.
    /// </summary>
    public static IServiceCollection AddFollowUpApi(this IServiceCollection services)
    {
        services.AddSingleton<IdempotencyStore>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // A parameter that does not bind throws BadHttpRequestException, answered by BadRequestExceptionHandler
        // as a 400 problem naming it. The caller's mistake, not ours: no error log and no diagnostics for it.
        services.Configure<ExceptionHandlerOptions>(o => o.SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException);
        return services;
    }
}
