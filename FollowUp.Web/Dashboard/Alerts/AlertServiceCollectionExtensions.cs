using Microsoft.Extensions.Options;

namespace FollowUp.Web.Dashboard.Alerts;

internal static class AlertServiceCollectionExtensions
{
    /// <summary>Alert thresholds (validated at start-up), the banner state and the monitor.</summary>
    public static IServiceCollection AddFollowUpAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertOptions>, AlertOptions.Validator>();
        services.AddSingleton<AlertState>();
        services.AddSingleton<AlertMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertMonitor>());
        return services;
    }
}
