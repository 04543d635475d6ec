using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Notifications;

/// <summary>Composition of business notifications: the outbox dispatcher and the signed delivery's HTTP client.</summary>
internal static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<IOutboxDrain>(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<NotificationStore>();
        // A delivery job's dead letters: its notification's side (the engine writes only its own row).
        services.AddSingleton<IDeadLetterHandler, DeliverNotificationDeadLetters>();
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptions.Validator>();
        services.AddHttpClient(DeliverNotificationJob.HttpClientName, (sp, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.TimeoutSeconds);
                http.DefaultRequestHeaders.UserAgent.ParseAdd("FollowUp-Notifications/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                // The URL is the client's to choose: only public addresses are dialled (checked at connect
                // time, on the address connected to), and a receiver's answer is read no further than its headers.
                var allowLoopback = sp.GetRequiredService<IOptions<NotificationOptions>>().Value.AllowLoopback;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    MaxResponseHeadersLength = NotificationOptions.MaxResponseHeadersKiB,
                    ConnectCallback = (context, ct) => ReceiverAddressGuard.ConnectAsync(context, allowLoopback, ct),
                };
            });
        return services;
    }
}
