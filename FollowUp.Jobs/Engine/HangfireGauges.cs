using System.Diagnostics.Metrics;
using FollowUp.Jobs.Telemetry;
using Hangfire;
using Microsoft.Extensions.Hosting;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Hangfire's own numbers as observable gauges on FollowUp's meter: enqueued jobs and the oldest one's age
/// per queue, scheduled, processing, failed, and servers alive — what Hangfire users watch in their own
/// monitoring. Read through Hangfire's monitoring API (never its tables), at most every
/// <see cref="CacheFor"/> however often a collector scrapes, and only while one does.
/// </summary>
internal sealed class HangfireGauges : IHostedService
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly JobStorage _storage;
    private readonly IClock _clock;
    private readonly Lock _gate = new();
    private Snapshot? _last;

    public HangfireGauges(FollowUpMetrics metrics, JobStorage storage, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _storage = storage;
        _clock = clock;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("followup.hangfire.enqueued", () => Read().Queues.Select(q => new Measurement<long>(q.Length, new KeyValuePair<string, object?>("followup.queue", q.Name))),
            "{job}", "Jobs waiting in each Hangfire queue");
        meter.CreateObservableGauge("followup.hangfire.oldest_enqueued_age", () => Read().Queues.Select(q => new Measurement<double>(q.OldestAgeSeconds, new KeyValuePair<string, object?>("followup.queue", q.Name))),
            "s", "Age of the oldest enqueued job in each queue (0 when empty)");
        meter.CreateObservableGauge("followup.hangfire.scheduled", () => Read().Scheduled, "{job}", "Hangfire jobs scheduled for later (reminders, retries)");
        meter.CreateObservableGauge("followup.hangfire.processing", () => Read().Processing, "{job}", "Hangfire jobs running now");
        meter.CreateObservableGauge("followup.hangfire.failed", () => Read().Failed, "{job}", "Hangfire jobs in Failed (dead letters)");
        meter.CreateObservableGauge("followup.hangfire.servers", () => Read().Servers, "{server}", "Hangfire servers alive in the cluster");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Snapshot Read()
    {
        lock (_gate)
        {
            var now = _clock.GetCurrentInstant();
            if (_last is { } last && now - last.At < Duration.FromTimeSpan(CacheFor))
            {
                return last;
            }

            try
            {
                var api = _storage.GetMonitoringApi();
                var stats = api.GetStatistics();
                var queues = api.Queues().Select(q =>
                {
                    var oldest = q.FirstJobs.Select(j => j.Value?.EnqueuedAt).Where(t => t is not null).Min();
                    var age = oldest is { } at ? Math.Max(0, (now.ToDateTimeUtc() - DateTime.SpecifyKind(at, DateTimeKind.Utc)).TotalSeconds) : 0;
                    return new QueueSnapshot(q.Name, q.Length, age);
                }).ToList();
                _last = new Snapshot(now, queues, stats.Scheduled, stats.Processing, stats.Failed, stats.Servers);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The database is away: keep the last reading (or none) rather than fail the whole scrape.
                _last ??= new Snapshot(now, [], 0, 0, 0, 0);
            }

            return _last;
        }
    }

    private sealed record QueueSnapshot(string Name, long Length, double OldestAgeSeconds);

    private sealed record Snapshot(Instant At, IReadOnlyList<QueueSnapshot> Queues, long Scheduled, long Processing, long Failed, long Servers);
}
