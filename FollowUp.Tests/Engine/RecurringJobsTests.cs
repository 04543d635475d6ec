using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.Common;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>
/// Recurring jobs are Hangfire's, with cron in an IANA zone. Hangfire computes the next run from a
/// clock it takes in its manager's constructor, which is how a test stands on either side of a DST change.
/// </summary>
public sealed class RecurringJobsTests : EngineTest
{
    protected override Dictionary<string, string?> Settings => new() { ["FollowUp:Engine:RunServer"] = "false" };

    protected override bool CreatesTestClients => false;

    private int _registrations;

    // A new id each time: Hangfire keeps a definition's next run when it is updated unchanged.
    private DateTime? NextAt0900NewYork(Instant now)
    {
        var id = $"daily-digest-{++_registrations}";
        var manager = new RecurringJobManager(Engine.Services.GetRequiredService<JobStorage>(), Engine.Services.GetRequiredService<IJobFilterProvider>(),
            new DefaultTimeZoneResolver(), () => now.ToDateTimeUtc());
        manager.AddOrUpdate(id, Job.FromExpression(() => ProbeJob.RunAsync("digest", "ok", null, CancellationToken.None)), "0 9 * * *",
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York") });
        using var connection = Engine.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Single(r => r.Id == id).NextExecution;
    }

    [Test]
    public void NextExecution_DailyAt0900NewYork_StaysAtLocalNineAcrossSpringForward()
    {
        // America/New_York springs forward on 2027-03-14 at 02:00 (EST, UTC-5 → EDT, UTC-4).
        var saturday = NextAt0900NewYork(Instant.FromUtc(2027, 3, 13, 3, 0));   // 2027-03-12 22:00 EST
        var sunday = NextAt0900NewYork(Instant.FromUtc(2027, 3, 13, 15, 0));    // 2027-03-13 10:00 EST
        var monday = NextAt0900NewYork(Instant.FromUtc(2027, 3, 14, 14, 0));    // 2027-03-14 10:00 EDT

        Assert.Multiple(() =>
        {
            Assert.That(saturday, Is.EqualTo(new DateTime(2027, 3, 13, 14, 0, 0, DateTimeKind.Utc)), "09:00 EST");
            Assert.That(sunday, Is.EqualTo(new DateTime(2027, 3, 14, 13, 0, 0, DateTimeKind.Utc)), "09:00 EDT: 23 hours later");
            Assert.That(monday, Is.EqualTo(new DateTime(2027, 3, 15, 13, 0, 0, DateTimeKind.Utc)), "09:00 EDT");
        });
    }

    [Test]
    public void Registrar_RecurringJobsUseTheConfiguredZone()
    {
        using var connection = Engine.Services.GetRequiredService<JobStorage>().GetConnection();
        var zone = Engine.Services.GetRequiredService<IOptions<EngineOptions>>().Value.RecurringTimeZone;

        var recurring = connection.GetRecurringJobs();

        Assert.That(recurring.Where(r => r.Id is "retention" or "reconcile-messages" or "replay-stalled-webhooks").Select(r => r.TimeZoneId),
            Is.EqualTo(Enumerable.Repeat(zone, 3)));
    }

    [Test]
    public async Task Registrar_TheWebAppsStateCountsUseTheConfiguredZoneToo()
    {
        // The overview's counts are the dashboard's read side: FollowUp.Web contributes that recurring job.
        await using var web = ApiHost.Start(Db);
        using var connection = web.Services.GetRequiredService<JobStorage>().GetConnection();
        var zone = web.Services.GetRequiredService<IOptions<EngineOptions>>().Value.RecurringTimeZone;

        var recurring = connection.GetRecurringJobs();

        Assert.That(recurring.Where(r => r.Id is "retention" or "reconcile-messages" or "replay-stalled-webhooks" or "state-counts" or "analytics-rollups")
            .Select(r => r.TimeZoneId), Is.EqualTo(Enumerable.Repeat(zone, 5)));
    }

    [TestCase(1, "*/1 * * * * *")]
    [TestCase(15, "*/15 * * * * *")]
    [TestCase(7, "* * * * * *")]
    [TestCase(120, "*/2 * * * *")]
    public void EverySeconds_IsTheCronHangfireRuns(int seconds, string cron) =>
        Assert.That(RecurringJobRegistration.EverySeconds(seconds), Is.EqualTo(cron));
}
