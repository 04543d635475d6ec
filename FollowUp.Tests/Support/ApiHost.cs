using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Support;

/// <summary>The whole web app in process (real Kestrel-less host, real PostgreSQL) with an API key.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string ApiKey = "test-api-key-0123456789";

    private ApiHost(WebApplicationFactory<Program> factory)
    {
        Factory = factory;
        Client = factory.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public WebApplicationFactory<Program> Factory { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => Factory.Services;

    /// <summary>
    /// The app on <see cref="Microsoft.AspNetCore.TestHost.TestServer"/>, or with <paramref name="kestrel"/> on real Kestrel at
    /// 127.0.0.1 (<see cref="Address"/>), for tests of what only Kestrel does to the bytes (chunked bodies).
    /// </summary>
    public static ApiHost Start(TestDatabase db, Dictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null,
        bool kestrel = false)
    {
        var settings = EngineHost.TestSettings(db.ConnectionString);
        settings["FollowUp:Api:Keys:0"] = ApiKey;
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

            if (services is not null)
            {
                b.ConfigureServices(services);
            }
        });
        if (kestrel)
        {
            factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
            factory.StartServer();
        }

        return new ApiHost(factory);
    }

    /// <summary>Kestrel's address when started with <c>kestrel: true</c>.</summary>
    public Uri Address => new(Factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
