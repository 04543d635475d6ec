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
        services.AddSingleton<NotificationStore>();
        // A delivery job's dead letters: its notification's side (the engine writes only its own row).
        services.AddSingleton<Engine.IDeadLetterHandler, DeliverNotificationDeadLetters>();
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptions.Validator>();
        services.AddHttpClient(DeliverNotificationJob.HttpClientName, (sp, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.TimeoutSeconds);
                http.DefaultRequestHeaders.UserAgent.ParseAdd("FollowUp-Notifications/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return services;
    }
}
