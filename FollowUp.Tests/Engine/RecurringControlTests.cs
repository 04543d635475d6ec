using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Quartz;

namespace FollowUp.Tests.Engine;

/// <summary>Pause, resume and trigger-now of recurring jobs (the dashboard's Recurring page uses these).</summary>
public sealed class RecurringControlTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    [Test]
    public async Task SetRecurringPaused_RemovesTheTrigger_ResumeBringsItBack()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>());
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var key = new TriggerKey("daily", RecurringJobs.Group);
        await host.Jobs.AddOrUpdateRecurringAsync<ProbeJob>("daily", "0 0 9 * * ?", NewYork, new ProbeArgs("x"));
        Assert.That(await scheduler.GetTrigger(key), Is.Not.Null);

        var paused = await host.Jobs.SetRecurringPausedAsync("daily", paused: true);
        var pausedAgain = await host.Jobs.SetRecurringPausedAsync("daily", paused: true);
        var triggerWhilePaused = await scheduler.GetTrigger(key);
        var listed = (await host.Jobs.ListRecurringAsync()).Single();
        var resumed = await host.Jobs.SetRecurringPausedAsync("daily", paused: false);

        Assert.Multiple(async () =>
        {
            Assert.That(paused, Is.True);
            Assert.That(pausedAgain, Is.False, "already paused");
            Assert.That(triggerWhilePaused, Is.Null);
            Assert.That(listed.Paused, Is.True);
            Assert.That(listed.NextRunAfter(SystemClock.Instance.GetCurrentInstant()), Is.Null);
            Assert.That(resumed, Is.True);
            Assert.That(await scheduler.GetTrigger(key), Is.Not.Null);
            Assert.That(await host.Jobs.SetRecurringPausedAsync("no-such", paused: true), Is.False);
        });
    }

    [Test]
    public async Task TriggerRecurring_EnqueuesOneJobNow_RecordsItAsLastRun_ScheduleUnchanged()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>());
        var tag = Guid.NewGuid().ToString("N");
        await host.Jobs.AddOrUpdateRecurringAsync<ProbeJob>("yearly", "0 0 9 1 1 ?", NewYork, new ProbeArgs(tag));

        var jobId = await host.Jobs.TriggerRecurringAsync("yearly");
        await Eventually.WaitForAsync(() => Task.FromResult(Probe.Count(tag)), n => n == 1, what: "the triggered run");
        var definition = (await host.Jobs.ListRecurringAsync()).Single();

        Assert.Multiple(async () =>
        {
            Assert.That(jobId, Is.Not.Null);
            Assert.That(definition.LastJobId, Is.EqualTo(jobId));
            Assert.That(await db.ScalarAsync<string>("select recurring_id from jobs where id = @jobId", new { jobId }), Is.EqualTo("yearly"));
            Assert.That(definition.NextRunAfter(SystemClock.Instance.GetCurrentInstant())?.InZone(NewYork).TimeOfDay, Is.EqualTo(new LocalTime(9, 0)));
            Assert.That(await host.Jobs.TriggerRecurringAsync("no-such"), Is.Null);
        });
    }

    [Test]
    public async Task StateCounts_Refresh_CountsEveryStateAndStatus_ZeroWhenEmpty()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("""
            insert into jobs (type, args, state, run_at, created_at, state_changed_at)
            select 'test.probe', '{}', s, now(), now(), now() from unnest(array['Failed', 'Failed', 'Succeeded']) s
            """);

        await FollowUp.Jobs.Engine.Housekeeping.StateCountJob.RefreshAsync(db.DataSource, SystemClock.Instance.GetCurrentInstant(), CancellationToken.None);
        await db.ExecuteAsync("delete from jobs where state = 'Succeeded'");
        await FollowUp.Jobs.Engine.Housekeeping.StateCountJob.RefreshAsync(db.DataSource, SystemClock.Instance.GetCurrentInstant(), CancellationToken.None);
        var counts = await db.QueryAsync<(string Subject, string State, long Count)>("select subject, state, count from state_counts where count > 0");

        Assert.Multiple(async () =>
        {
            Assert.That(counts, Is.EqualTo(new[] { ("job", "Failed", 2L) }));
            Assert.That(await db.ScalarAsync<long>("select count(*) from state_counts"), Is.EqualTo(16), "7 job states and 9 message statuses");
        });
    }
}
