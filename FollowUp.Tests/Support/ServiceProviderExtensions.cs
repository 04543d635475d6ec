using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Support;

public static class ServiceProviderExtensions
{
    public static T GetRequiredServiceAsync<T>(this IServiceProvider services)
        where T : notnull => services.GetRequiredService<T>();
}
