using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Channels.Sms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels;

/// <summary>Composition of the channels (SMS, email): each channel with its providers and their order, rate limits, cost and callback URL.</summary>
internal static class ChannelsServiceCollectionExtensions
{
    public static IServiceCollection AddChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CostOptions>().Bind(configuration.GetSection(CostOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CostOptions>, CostOptions.Validator>();
        services.AddSingleton<ProviderRateLimiters>();
        // One circuit breaker per provider, for the process's life (what this node has seen of each).
        services.AddOptions<BreakerOptions>().Bind(configuration.GetSection(BreakerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BreakerOptions>, BreakerOptions.Validator>();
        services.AddSingleton<ProviderBreakers>();
        // Each channel (IMessageChannel) with its order and its providers; another provider is one more registration.
        services.AddSmsChannel(configuration);
        services.AddEmailChannel(configuration);
        services.AddOptions<PublicUrlOptions>().Bind(configuration.GetSection(PublicUrlOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PublicUrlOptions>, PublicUrlOptions.Validator>();
        services.AddHostedService<SandboxWarning>();
        return services;
    }
}
