using FollowUp.Jobs;
using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FollowUp.Tests.Support;

/// <summary>A real engine node in this process (worker, Quartz, migrations) on a test database.</summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IJobClient Jobs => Services.GetRequiredService<IJobClient>();

    /// <summary>Fast settings for tests: short retry delay, lease and rescue interval.</summary>
    public static Dictionary<string, string?> TestSettings(string connectionString) => new()
    {
        ["ConnectionStrings:FollowUp"] = connectionString,
        ["FollowUp:Retry:Attempts"] = "3",
        ["FollowUp:Retry:DelaySeconds"] = "1",
        ["FollowUp:Engine:LeaseSeconds"] = "3",
        ["FollowUp:Engine:RescueIntervalSeconds"] = "1",
        ["FollowUp:Engine:RecurringSyncSeconds"] = "1",
        ["FollowUp:Engine:PollSeconds"] = "2",
        ["FollowUp:Engine:ShutdownTimeoutSeconds"] = "5",
    };

    public static async Task<EngineHost> StartAsync(
        TestDatabase database, Action<EngineBuilder> jobs, Dictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = TestSettings(database.ConnectionString);
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        services?.Invoke(builder.Services);
        jobs(builder.Services.AddFollowUpJobs(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
