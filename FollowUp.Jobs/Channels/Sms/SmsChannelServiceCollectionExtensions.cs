using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>Composition of the SMS channel's providers.</summary>
public static class SmsChannelServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SMS channel: its failover order from <c>FollowUp:Sms:Providers</c>, the channel itself
    /// (every registered <see cref="ISmsProvider"/> joins it; none configured, the sandbox), and Twilio
    /// (<see cref="AddTwilioSms"/>). Another provider is one more <see cref="ISmsProvider"/> registration.
    /// </summary>
    public static IServiceCollection AddSmsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChannelOptions>(Channel.Sms.Name).Bind(configuration.GetSection("FollowUp:Sms")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChannelOptions>, SmsProviderOrderValidator>();
        // Scoped (one per attempt), as the channels are: a provider may be a typed HttpClient, not to be held for the process's life.
        services.AddScoped<IMessageChannel, SmsChannel>();
        return services.AddTwilioSms(configuration).AddVonageSms(configuration).AddWebhookSmsRoute(configuration);
    }

    /// <summary>
    /// Adds Vonage (<see cref="VonageSmsProvider"/>, provider <c>vonage</c>): options from <c>FollowUp:Sms:Vonage</c>
    /// validated at start-up (naming the key), and its named <see cref="HttpClient"/> with Vonage's timeout.
    /// Without a key and secret it is registered but not configured, so the channel skips it.
    /// </summary>
    public static IServiceCollection AddVonageSms(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VonageOptions>().Bind(configuration.GetSection(VonageOptions.Section))
            // "+1 (212) 555-0100" is sent as "12125550100"; a sender ID or a number that is not valid is left for the validator.
            .PostConfigure(o => o.From = o.From is { } from && from.StartsWith('+') && E164.TryNormalize(from, out var e164, out _) ? e164 : o.From)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<VonageOptions>, VonageOptions.Validator>();
        services.AddOptions<PublicUrlOptions>();
        services.AddHttpClient(VonageSmsProvider.HttpClientName, (sp, client) =>
            client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<VonageOptions>>().Value.TimeoutSeconds));
        services.AddSingleton<VonageSmsProvider>();
        services.AddSingleton<ISmsProvider>(sp => sp.GetRequiredService<VonageSmsProvider>());
        return services;
    }

    /// <summary>
    /// Adds the webhook route (<see cref="WebhookSmsProvider"/>, provider <c>webhook</c>): options from
    /// <c>FollowUp:Sms:Webhook</c> validated at start-up, and its named <see cref="HttpClient"/> with the
    /// route's timeout. Without a URL it is registered but not configured, so the channel skips it. The URL
    /// is the operator's, not a customer's: it is not held to the public-address rule of notifications. A
    /// client's own route (its <c>sms_route</c>) is, through a second named client that dials only public addresses.
    /// </summary>
    public static IServiceCollection AddWebhookSmsRoute(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebhookRouteOptions>().Bind(configuration.GetSection(WebhookRouteOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookRouteOptions>, WebhookRouteOptions.Validator>();
        services.AddHttpClient(WebhookSmsProvider.HttpClientName, (sp, client) =>
            client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebhookRouteOptions>>().Value.TimeoutSeconds));
        services.AddHttpClient(WebhookSmsProvider.ClientRouteHttpClientName, (sp, client) =>
                client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebhookRouteOptions>>().Value.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                // A client's route URL is the client's to choose: only public addresses are dialled, checked at
                // connect time on the address connected to (loopback only where notifications allow it: development).
                var allowLoopback = sp.GetRequiredService<IOptions<Notifications.NotificationOptions>>().Value.AllowLoopback;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    ConnectCallback = (context, ct) => Notifications.ReceiverAddressGuard.ConnectAsync(context, allowLoopback, ct),
                };
            });
        services.AddSingleton<WebhookSmsProvider>();
        services.AddSingleton<ISmsProvider>(sp => sp.GetRequiredService<WebhookSmsProvider>());
        return services;
    }

    /// <summary>
    /// Adds Twilio as an <see cref="ISmsProvider"/>: <see cref="TwilioOptions"/> bound from
    /// <c>FollowUp:Twilio</c> and validated at start-up (invalid or partial settings stop the host,
    /// naming the key), and the named <see cref="HttpClient"/> the Twilio library sends over: timeout
    /// <see cref="TwilioOptions.TimeoutSeconds"/>, handlers rotated by the factory, and
    /// <see cref="TwilioWire"/> pointing it at <see cref="TwilioOptions.BaseUrl"/>. Without credentials
    /// the provider is registered but reports <see cref="IChannelProvider.IsConfigured"/> false, so the
    /// channel skips it.
    /// </summary>
    public static IServiceCollection AddTwilioSms(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TwilioOptions>().Bind(configuration.GetSection(TwilioOptions.Section))
            // "+1 (212) 555-0100" is sent as "+12125550100"; a number that is not valid is left for the validator to name.
            .PostConfigure(o => o.From = o.From is { } from && E164.TryNormalize(from, out var e164, out _) ? e164 : o.From)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TwilioOptions>, TwilioOptions.Validator>();

        services.AddTransient<TwilioWire>();
        services.AddHttpClient(TwilioSmsProvider.HttpClientName, (sp, client) =>
                client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<TwilioOptions>>().Value.TimeoutSeconds))
            .AddHttpMessageHandler<TwilioWire>();
        services.AddSingleton<TwilioSmsProvider>();
        services.AddSingleton<ISmsProvider>(sp => sp.GetRequiredService<TwilioSmsProvider>());
        return services;
    }
}
