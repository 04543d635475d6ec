using System.Globalization;
using FollowUp.Jobs;
using Hangfire;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FollowUp.Tests.Support;

/// <summary>A real FollowUp node in this process (migrations, a Hangfire server, recurring jobs) on a test database.</summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    /// <summary>Hangfire's client, as a developer gets it from the container.</summary>
    public IBackgroundJobClient Jobs => Services.GetRequiredService<IBackgroundJobClient>();

    /// <summary>Fast settings for tests: a short retry delay, fast polling, few workers.</summary>
    public static Dictionary<string, string?> TestSettings(string connectionString) => new()
    {
        ["ConnectionStrings:FollowUp"] = connectionString,
        ["FollowUp:Retry:Attempts"] = "3",
        ["FollowUp:Retry:DelaySeconds"] = "1",
        ["FollowUp:Engine:WorkerCount"] = "4",
        ["FollowUp:Engine:QueuePollMilliseconds"] = "200",
        ["FollowUp:Engine:SchedulePollMilliseconds"] = "200",
        ["FollowUp:Engine:DispatchPollMilliseconds"] = "200",
        ["FollowUp:Engine:ShutdownTimeoutSeconds"] = "5",
        ["FollowUp:Engine:StateCountSeconds"] = "1",
        // The tests' webhook receivers listen on 127.0.0.1, which notifications refuse unless this is on.
        ["FollowUp:Notifications:AllowLoopback"] = "true",
    };

    public static async Task<EngineHost> StartAsync(
        TestDatabase database, Dictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
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
        builder.Services.AddFollowUpJobs(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host);
    }

    /// <summary>A job's current state, through Hangfire's monitoring API.</summary>
    public string? StateOf(long jobId) => HangfireProbe.StateOf(Services, jobId);

    /// <summary>A job's history, oldest first, through Hangfire's monitoring API.</summary>
    public IReadOnlyList<StateHistoryDto> History(long jobId) => HangfireProbe.History(Services, jobId);

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Reads jobs as the stock dashboard does: through Hangfire's monitoring API, never its tables.</summary>
public static class HangfireProbe
{
    public static string? StateOf(IServiceProvider services, long jobId) =>
        services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(jobId.ToString(CultureInfo.InvariantCulture))?.History
            .OrderByDescending(h => h.CreatedAt).FirstOrDefault()?.StateName;

    public static IReadOnlyList<StateHistoryDto> History(IServiceProvider services, long jobId) =>
        services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(jobId.ToString(CultureInfo.InvariantCulture))?.History
            .OrderBy(h => h.CreatedAt).ToList() ?? [];

    /// <summary>
    /// The jobs that send messages, in any state, read one by one through the monitoring API (Hangfire's
    /// ids are sequential; the walk stops after 50 missing ids). Housekeeping's recurring jobs run beside
    /// them and are not counted. Lists by state would race jobs moving between states. For tests only.
    /// </summary>
    public static long SendJobCount(IServiceProvider services)
    {
        var monitoring = services.GetRequiredService<JobStorage>().GetMonitoringApi();
        long count = 0;
        for (long id = 1, missing = 0; missing < 50; id++)
        {
            var job = monitoring.JobDetails(id.ToString(CultureInfo.InvariantCulture));
            missing = job is null ? missing + 1 : 0;
            count += job?.Job?.Type.Name == "SendMessageJob" ? 1 : 0;
        }

        return count;
    }

    /// <summary>Waits until the job is in <paramref name="state"/>.</summary>
    public static Task<string?> WaitForStateAsync(IServiceProvider services, long jobId, string state, TimeSpan? timeout = null) =>
        Eventually.WaitForAsync(() => Task.FromResult(StateOf(services, jobId)), s => s == state, timeout, $"job {jobId} {state}");
}
