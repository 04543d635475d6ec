using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using Quartz;

namespace FollowUp.Tests.Engine;

public sealed class RecurringJobTests
{
    private static Instant At(string iso) => InstantPattern.ExtendedIso.Parse(iso).Value;

    [Test]
    public void NextOccurrences_DailyAt0900NewYork_StaysAtLocalNineAcrossSpringForward()
    {
        // America/New_York springs forward on 2027-03-14 at 02:00 EST → 03:00 EDT (UTC-5 → UTC-4).
        var runs = RecurringJobs.NextOccurrences("0 0 9 * * ?", "America/New_York", At("2027-03-12T12:00:00Z"), 4);

        Assert.That(runs, Is.EqualTo(new[]
        {
            At("2027-03-12T14:00:00Z"), // Fri 09:00 EST
            At("2027-03-13T14:00:00Z"), // Sat 09:00 EST
            At("2027-03-14T13:00:00Z"), // Sun 09:00 EDT: one hour earlier in UTC
            At("2027-03-15T13:00:00Z"),
        }));
    }

    [Test]
    public void NextOccurrences_InTheSkippedHour_RunsOnceThatDay_NotSkippedNotDoubled()
    {
        // 02:30 does not exist in New York on 2027-03-14; the occurrence must neither vanish nor repeat.
        var runs = RecurringJobs.NextOccurrences("0 30 2 * * ?", "America/New_York", At("2027-03-13T12:00:00Z"), 3);
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        var localDays = runs.Select(r => r.InZone(zone).Date).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(runs[0], Is.EqualTo(At("2027-03-14T07:00:00Z")), "the DST day runs at 03:00 EDT, the end of the gap");
            Assert.That(runs[1], Is.EqualTo(At("2027-03-15T06:30:00Z")), "back to 02:30, now EDT");
            Assert.That(runs[2], Is.EqualTo(At("2027-03-16T06:30:00Z")));
            Assert.That(localDays, Is.Unique);
        });
    }

    [Test]
    public async Task AddOrUpdateRecurring_EverySecond_FiresAndEnqueuesJobs_UntilRemoved()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>());
        var tag = Guid.NewGuid().ToString("N");

        await host.Jobs.AddOrUpdateRecurringAsync<ProbeJob>("tick", "* * * * * ?", DateTimeZoneProviders.Tzdb["America/New_York"], new ProbeArgs(tag));
        await Eventually.WaitForAsync(() => Task.FromResult(Probe.Count(tag)), n => n >= 2, TimeSpan.FromSeconds(30), "two recurring runs");
        Assert.That(await host.Jobs.RemoveRecurringAsync("tick"), Is.True);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var enqueued = await db.ScalarAsync<long>("select count(*) from jobs where recurring_id = 'tick'");
        await Task.Delay(2_000);

        Assert.Multiple(async () =>
        {
            Assert.That(await scheduler.Exists(new JobKey("tick", RecurringJobs.Group)), Is.False);
            Assert.That(await db.ScalarAsync<long>("select count(*) from jobs where recurring_id = 'tick'"), Is.EqualTo(enqueued), "nothing fires after removal");
        });
    }

    [Test]
    public async Task AddOrUpdateRecurring_InvalidCronOrZone_IsRejected_NothingStored()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>());

        var ex = Assert.ThrowsAsync<ArgumentException>(() =>
            host.Jobs.AddOrUpdateRecurringAsync<ProbeJob>("bad", "every tuesday", DateTimeZone.Utc, new ProbeArgs("x")));
        Assert.Multiple(async () =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("cron"));
            Assert.That(await db.ScalarAsync<long>("select count(*) from recurring_jobs"), Is.Zero);
        });
    }
}
