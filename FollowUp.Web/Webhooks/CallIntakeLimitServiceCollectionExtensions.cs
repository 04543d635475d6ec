using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Webhooks;

/// <summary>The call webhooks' concurrency limit (<see cref="CallIntakeLimitOptions"/>), as an ASP.NET Core rate-limiter policy.</summary>
internal static class CallIntakeLimitServiceCollectionExtensions
{
    public const string Policy = "call-intake";

    public static IServiceCollection AddCallIntakeLimit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CallIntakeLimitOptions>().Bind(configuration.GetSection(CallIntakeLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CallIntakeLimitOptions>, CallIntakeLimitOptions.Validator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<CallIntakeLimitOptions>>((limiter, limits) =>
        {
            var options = limits.Value;
            // One limiter for the node (not per client): it protects this node's database pool and CPU.
            limiter.AddConcurrencyLimiter(Policy, l =>
            {
                l.PermitLimit = options.MaxConcurrent;
                l.QueueLimit = options.MaxQueued;
                l.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy",
                    detail: $"Too many call webhooks in progress on this node; nothing was recorded. Retry after {options.RetryAfterSeconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
