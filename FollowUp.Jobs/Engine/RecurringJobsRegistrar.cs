using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// At start-up, creates or updates FollowUp's recurring jobs in Hangfire (idempotent, so every node may
/// do it). Cron is evaluated by Hangfire in <c>FollowUp:Engine:RecurringTimeZone</c> (an IANA zone), so a
/// daily job stays at its local hour across DST changes. Hangfire fires each occurrence once across the
/// cluster. The engine's own (state counts, retention) are named here; each feature's comes as a
/// <see cref="RecurringJobRegistration"/>.
/// </summary>
internal sealed class RecurringJobsRegistrar(
    IRecurringJobManager recurring, IOptions<EngineOptions> options, IEnumerable<RecurringJobRegistration> features) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var recurringOptions = new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(o.RecurringTimeZone) };
        foreach (var feature in features)
        {
            feature.Register(recurring, recurringOptions);
        }

        recurring.AddOrUpdate<StateCountJob>(StateCountJob.RecurringId, EngineOptions.DefaultQueue,
            x => x.RunAsync(CancellationToken.None), EverySeconds(o.StateCountSeconds), recurringOptions);
        recurring.AddOrUpdate<RetentionJob>(RetentionJob.RecurringId, EngineOptions.DefaultQueue,
            x => x.RunAsync(CancellationToken.None), Cron.Daily(3), recurringOptions);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A six-field (seconds) cron for intervals under a minute, else every N minutes.</summary>
    internal static string EverySeconds(int seconds) => seconds switch
    {
        < 60 when 60 % seconds == 0 => $"*/{seconds} * * * * *",
        < 60 => "* * * * * *",
        _ => $"*/{Math.Min(59, seconds / 60)} * * * *",
    };
}
