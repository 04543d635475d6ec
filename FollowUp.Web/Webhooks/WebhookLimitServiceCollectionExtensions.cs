using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Webhooks;

/// <summary>The webhooks' concurrency limits (<see cref="WebhookLimitOptions"/>), as ASP.NET Core rate-limiter policies.</summary>
internal static class WebhookLimitServiceCollectionExtensions
{
    /// <summary>Call outcomes from telephony.</summary>
    public const string CallPolicy = "call-intake";

    /// <summary>Twilio status and inbound SMS, SendGrid events: a flood of them must not starve call intake, nor the reverse.</summary>
    public const string ProviderPolicy = "provider-webhooks";

    public static IServiceCollection AddWebhookLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookLimitOptions>().Bind(configuration.GetSection(WebhookLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookLimitOptions>, WebhookLimitOptions.Validator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<WebhookLimitOptions>>((limiter, limits) =>
        {
            var options = limits.Value;
            // One limiter per policy for the node (not per client): it protects this node's database pool and CPU.
            foreach (var policy in new[] { CallPolicy, ProviderPolicy })
            {
                limiter.AddConcurrencyLimiter(policy, l =>
                {
                    l.PermitLimit = options.MaxConcurrent;
                    l.QueueLimit = options.MaxQueued;
                    l.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
                });
            }

            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy",
                    detail: $"Too many webhooks in progress on this node; nothing was recorded. Retry after {options.RetryAfterSeconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
