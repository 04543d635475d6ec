using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FollowUp.Tests.Support;

/// <summary>
/// The whole web app on a real Kestrel listener at 127.0.0.1 on a free port (a browser cannot reach
/// TestServer), on a test database, with the dashboard admin <c>admin</c> / <see cref="AdminPassword"/>.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-0123";

    private DashboardHost(WebApplicationFactory<Program> factory, Uri baseAddress)
    {
        Factory = factory;
        BaseAddress = baseAddress;
    }

    public WebApplicationFactory<Program> Factory { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => Factory.Services;

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static DashboardHost Start(TestDatabase db, Dictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var settings = EngineHost.TestSettings(db.ConnectionString);
        settings["FollowUp:Api:Keys:0"] = ApiHost.ApiKey;
        settings["FollowUp:Dashboard:AdminPassword"] = AdminPassword;
        // Plain HTTP on 127.0.0.1, as ./run.sh: Secure-only cookies would never come back to the server.
        settings["FollowUp:Dashboard:AllowInsecureCookies"] = "true";
        // Counts every second, so pages show what a test just did (production: every 15 s).
        settings["FollowUp:Engine:StateCountSeconds"] = "1";
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }

            b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            if (services is not null)
            {
                b.ConfigureServices(services);
            }
        });
        factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardHost(factory, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>Adds a dashboard user through the real store.</summary>
    public Task AddUserAsync(string name, string password, string role) =>
        Services.GetRequiredService<DashboardUsers>().AddAsync(name, password, role, CancellationToken.None);

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}
