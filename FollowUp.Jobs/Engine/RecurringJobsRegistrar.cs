using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// At start-up, creates or updates the recurring jobs the features contributed
/// (<see cref="RecurringJobRegistration"/>) in Hangfire (idempotent, so every node may do it). Cron is
/// evaluated by Hangfire in <c>FollowUp:Engine:RecurringTimeZone</c> (an IANA zone), so a daily job
/// stays at its local hour across DST changes. Hangfire fires each occurrence once across the cluster.
/// </summary>
internal sealed class RecurringJobsRegistrar(
    IRecurringJobManager recurring, IEnumerable<RecurringJobRegistration> registrations, IOptions<EngineOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var recurringOptions = new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(o.RecurringTimeZone) };
        foreach (var registration in registrations)
        {
            registration.AddOrUpdate(recurring, recurringOptions, o);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
