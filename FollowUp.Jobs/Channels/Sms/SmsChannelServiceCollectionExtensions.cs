using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>Composition of the SMS channel's providers.</summary>
public static class SmsChannelServiceCollectionExtensions
{
    /// <summary>
    /// Adds Twilio as an <see cref="ISmsProvider"/>: <see cref="TwilioOptions"/> bound from
    /// <c>FollowUp:Twilio</c> and validated at start-up (invalid or partial settings stop the host,
    /// naming the key), and a typed <see cref="HttpClient"/> whose timeout is
    /// <see cref="TwilioOptions.TimeoutSeconds"/>. Without credentials the provider is registered but
    /// reports <see cref="ISmsProvider.IsConfigured"/> false, so the channel skips it.
    /// </summary>
    public static IServiceCollection AddTwilioSms(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TwilioOptions>().Bind(configuration.GetSection(TwilioOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TwilioOptions>, TwilioOptions.Validator>();

        services.AddHttpClient<TwilioSmsProvider>((sp, client) =>
                client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<TwilioOptions>>().Value.TimeoutSeconds))
            // The provider is held as a singleton below, so its handler is never rotated by the
            // factory; a bounded connection lifetime keeps it following DNS changes instead.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddSingleton<ISmsProvider>(sp => sp.GetRequiredService<TwilioSmsProvider>());
        return services;
    }
}
