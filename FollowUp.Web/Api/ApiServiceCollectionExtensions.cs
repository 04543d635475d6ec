using FollowUp.Web.Api.Idempotency;

namespace FollowUp.Web.Api;

internal static class ApiServiceCollectionExtensions
{
    /// <summary>What the /api endpoints need beyond the engine: the Idempotency-Key store.</summary>
    public static IServiceCollection AddFollowUpApi(this IServiceCollection services)
    {
        services.AddSingleton<IdempotencyStore>();
        return services;
    }
}
