using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Engine;

public sealed class WorkerLimitsTests
{
    [Test]
    public async Task ConcurrencyLimit_PerJobType_IsNeverExceeded()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>(),
            new() { ["FollowUp:Engine:ConcurrencyLimits:test.probe"] = "3" });
        var tag = Guid.NewGuid().ToString("N");

        await host.Jobs.EnqueueManyAsync(Enumerable.Range(0, 30).Select(_ => JobRequest.For<ProbeJob>(new ProbeArgs(tag, SleepMs: 100))).ToList());
        await Eventually.WaitForAsync(() => db.ScalarAsync<long>("select count(*) from jobs where state = 'Succeeded'"), n => n == 30, what: "30 succeeded");

        Assert.That(Probe.Max[tag], Is.EqualTo(3), "three at once, never more");
    }

    [Test]
    public async Task GlobalPerformFilter_WrapsEveryAttempt()
    {
        await using var db = await TestDatabase.CreateAsync();
        var filter = new RecordingFilter();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>().AddFilter(filter));

        var id = await host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(Guid.NewGuid().ToString("N"), FailTimes: 1));
        await Eventually.WaitForAsync(() => db.ScalarAsync<string>("select state from jobs where id = @id", new { id }), s => s == "Succeeded");

        Assert.That(filter.Seen, Is.EqualTo(new[] { $"before {id}/1", $"before {id}/2", $"after {id}/2" }),
            "the failed attempt never reaches 'after'");
    }

    [Test]
    public async Task Shutdown_CancelsRunningJobAfterTimeout_AndReleasesItWithoutSpendingAnAttempt()
    {
        await using var db = await TestDatabase.CreateAsync();
        var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>(),
            new() { ["FollowUp:Engine:ShutdownTimeoutSeconds"] = "1" });
        var tag = Guid.NewGuid().ToString("N");
        var id = await host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(tag, SleepMs: 60_000));
        await Eventually.WaitForAsync(() => Task.FromResult(Probe.Count(tag)), n => n == 1, what: "the job to start");

        await host.DisposeAsync();

        var row = (await db.QueryAsync<(string State, int Attempt)>("select state, attempt from jobs where id = @id", new { id })).Single();
        var reason = await db.ScalarAsync<string>("select reason from job_history where job_id = @id order by id desc limit 1", new { id });
        Assert.Multiple(() =>
        {
            Assert.That(row.State, Is.EqualTo("Enqueued"));
            Assert.That(row.Attempt, Is.Zero);
            Assert.That(reason, Does.StartWith("Released at shutdown"));
        });
    }

    [Test]
    public async Task Metrics_CountEnqueuedAndSucceeded()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>());
        var measured = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JobMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.Start();

        var id = await host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(Guid.NewGuid().ToString("N")));
        await Eventually.WaitForAsync(() => db.ScalarAsync<string>("select state from jobs where id = @id", new { id }), s => s == "Succeeded");
        await Eventually.WaitForAsync(() => Task.FromResult(measured.GetValueOrDefault("followup.jobs.succeeded")), v => v >= 1, what: "succeeded counter");

        Assert.That(measured.GetValueOrDefault("followup.jobs.enqueued"), Is.GreaterThanOrEqualTo(1));
    }
}
