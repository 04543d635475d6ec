using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Proxy;

/// <summary>Forwarded headers from configured proxies only, and HSTS on what is (then) HTTPS.</summary>
internal static class ProxyApplicationBuilderExtensions
{
    public static IServiceCollection AddFollowUpProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ForwardedHeadersSettings>().Bind(configuration.GetSection(ForwardedHeadersSettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>, ForwardedHeadersSettings.Validator>();
        return services;
    }

    /// <summary>First in the pipeline, so everything after sees the client's address and scheme.</summary>
    public static IApplicationBuilder UseFollowUpProxy(this IApplicationBuilder app)
    {
        var proxies = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.Addresses();
        // Not even added without proxies: the middleware trusts every sender when both lists are empty,
        // and any sender when the connection has no remote address.
        if (proxies.Count > 0)
        {
            var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            app.UseForwardedHeaders(options);
        }

        // Only on HTTPS requests (as seen after the proxy), and never for localhost.
        app.UseHsts();
        return app;
    }
}
