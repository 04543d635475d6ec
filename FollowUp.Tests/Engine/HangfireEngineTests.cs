using System.Globalization;
using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Engine;

/// <summary>Hangfire with FollowUp's filters on a real PostgreSQL: the fixed retry, dead letters, requeue from each door.</summary>
public sealed class HangfireEngineTests : EngineTest
{
    private string _key = null!;

    protected override bool CreatesTestClients => false;

    [SetUp]
    public void SetUp() => _key = Guid.NewGuid().ToString("N");

    private DeadLetters DeadLetters => Engine.Services.GetRequiredService<DeadLetters>();

    private long Enqueue(string behaviour) =>
        long.Parse(Engine.Jobs.Enqueue(() => ProbeJob.RunAsync(_key, behaviour, null, CancellationToken.None)), CultureInfo.InvariantCulture);

    [Test]
    public async Task SucceededJob_ExpiresAfterRetentionDays()
    {
        // A database of its own: the job must be finished by this host's server, whose storage sets the expiry.
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, new() { ["FollowUp:Engine:RetentionDays"] = "3" });
        var jobId = long.Parse(host.Jobs.Enqueue(() => ProbeJob.RunAsync(_key, "ok", null, CancellationToken.None)), CultureInfo.InvariantCulture);

        await HangfireProbe.WaitForStateAsync(host.Services, jobId, "Succeeded");
        var expireAt = host.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi()
            .JobDetails(jobId.ToString(CultureInfo.InvariantCulture)).ExpireAt;

        var inThreeDays = NodaTime.SystemClock.Instance.GetCurrentInstant().Plus(NodaTime.Duration.FromDays(3)).ToDateTimeUtc();
        Assert.That(expireAt, Is.Not.Null.And.InRange(inThreeDays.AddMinutes(-5), inThreeDays.AddMinutes(5)), "not Hangfire's one-day default");
    }

    [Test]
    public async Task Enqueue_FromTheContainersClient_RunsOnce_HistoryIsHangfires()
    {
        var jobId = Enqueue("ok");

        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Succeeded");
        Assert.Multiple(() =>
        {
            Assert.That(ProbeJob.RunsOf(_key).Select(r => r.Attempt), Is.EqualTo(new[] { 1 }));
            Assert.That(Engine.History(jobId).Select(h => h.StateName), Is.EqualTo(new[] { "Enqueued", "Processing", "Succeeded" }));
        });
    }

    [Test]
    public async Task FailingJob_ThreeAttemptsOneDelayApart_ThenDeadLetterAndFailed()
    {
        var jobId = Enqueue("fail");

        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Failed");
        var history = Engine.History(jobId);
        var processing = history.Where(h => h.StateName == "Processing").Select(h => h.CreatedAt).ToList();
        var scheduled = history.Where(h => h.StateName == "Scheduled").ToList();
        var retries = scheduled.Select(h => h.Reason).ToList();
        var delays = scheduled.Select(h => JobHelper.DeserializeDateTime(h.Data["EnqueueAt"]) - JobHelper.DeserializeDateTime(h.Data["ScheduledAt"])).ToList();
        var letter = (await DeadLetters.ListOpenAsync(10, null, CancellationToken.None)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(ProbeJob.RunsOf(_key).Select(r => r.Attempt), Is.EqualTo(new[] { 1, 2, 3 }), "3 attempts in all, not one more");
            Assert.That(processing, Has.Count.EqualTo(3));
            Assert.That(processing, Is.Ordered);
            // Each retry is due at least the delay (1 s in tests) after the failure, rounded up to the
            // next whole second because Hangfire's scheduler keeps due times in whole seconds (dropping the
            // fraction would start it early); how late a run starts is measured in bench/, not asserted here.
            Assert.That(delays, Has.Count.EqualTo(2));
            Assert.That(delays, Has.All.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).And.All.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(scheduled.Select(h => JobHelper.DeserializeDateTime(h.Data["EnqueueAt"]).Ticks % TimeSpan.TicksPerSecond),
                Is.All.EqualTo(0L), "due at a whole second");
            Assert.That(retries, Is.EqualTo(new[]
            {
                $"Attempt 2 of 3 in 1 s; attempt 1 failed: InvalidOperationException: probe {_key} failed on attempt 1",
                $"Attempt 3 of 3 in 1 s; attempt 2 failed: InvalidOperationException: probe {_key} failed on attempt 2",
            }));
            Assert.That(history[^1].Reason, Is.EqualTo($"Dead-lettered as #{letter.Id}. Attempts exhausted (3 of 3): InvalidOperationException: probe {_key} failed on attempt 3"));
            Assert.That(letter.JobId, Is.EqualTo(jobId));
            Assert.That((letter.JobType, letter.JobMethod), Is.EqualTo((typeof(ProbeJob).FullName, "RunAsync")));
            Assert.That(letter.Attempts, Is.EqualTo(3));
            Assert.That(letter.ExceptionType, Is.EqualTo("System.InvalidOperationException"));
            Assert.That(letter.ExceptionStack, Does.Contain(nameof(ProbeJob.RunAsync)));
            Assert.That(letter.Args, Does.Contain(_key).And.Contain("\"behaviour\": \"fail\""));
        });
    }

    [Test]
    public async Task PermanentFailure_OneAttempt_DeadLettered()
    {
        var jobId = Enqueue("permanent");

        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Failed");
        Assert.Multiple(async () =>
        {
            Assert.That(ProbeJob.RunsOf(_key), Has.Count.EqualTo(1));
            Assert.That(Engine.History(jobId)[^1].Reason, Does.Contain("Permanent failure on attempt 1 of 3, no retry"));
            Assert.That(await Db.ScalarAsync<int>("select attempts from dead_letters where job_id = @jobId", new { jobId }), Is.EqualTo(1));
        });
    }

    [TestCase("classified-permanent", 1)]
    [TestCase("classified-transient", 3)]
    public async Task ClassifiedFailure_IsRetriedOnlyWhenTransient(string behaviour, int expectedRuns)
    {
        var jobId = Enqueue(behaviour);

        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Failed");
        Assert.That(ProbeJob.RunsOf(_key), Has.Count.EqualTo(expectedRuns));
    }

    [Test]
    public async Task FixedRetryOnTheJobType_OverridesTheGlobalOne_AndHangfiresOwnRetryIsGone()
    {
        OneShotJob.Runs.Clear();
        var jobId = long.Parse(Engine.Jobs.Enqueue(() => OneShotJob.RunAsync(null)), CultureInfo.InvariantCulture);

        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Failed");
        await Task.Delay(TimeSpan.FromSeconds(2)); // long enough for a retry (1 s in tests) to have shown itself
        Assert.Multiple(() =>
        {
            Assert.That(OneShotJob.Runs.Count(id => id == jobId), Is.EqualTo(1), "Attempts = 1 on the type; no AutomaticRetry behind it");
            Assert.That(Engine.History(jobId)[^1].Reason, Does.Contain("Attempts exhausted (1 of 1)"));
            Assert.That(Engine.History(jobId).Count(h => h.StateName == "Scheduled"), Is.Zero);
        });
    }

    [Test]
    public async Task Deferral_RunsAgainLater_WithoutSpendingAnAttempt()
    {
        var jobId = Enqueue("defer-once");

        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Succeeded");
        Assert.Multiple(() =>
        {
            Assert.That(ProbeJob.RunsOf(_key).Select(r => r.Attempt), Is.EqualTo(new[] { 1, 1 }), "the deferred run was not counted");
            Assert.That(Engine.History(jobId).Single(h => h.StateName == "Scheduled").Reason, Is.EqualTo("Deferred without spending an attempt: not now"));
        });
    }

    [Test]
    public async Task Requeue_ThroughOurDeadLetterDoor_FreshAttempts_RecordsWho()
    {
        var jobId = Enqueue("permanent");
        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Failed");
        var letter = (await DeadLetters.ListOpenAsync(10, null, CancellationToken.None)).Single();

        Assert.That(await DeadLetters.RequeueAsync(letter.Id, "support-ana", CancellationToken.None), Is.True);
        await Eventually.WaitForAsync(() => Task.FromResult(ProbeJob.RunsOf(_key).Count), n => n == 2, what: "the requeued run");
        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Failed");

        var requeued = await DeadLetters.FindAsync(letter.Id, CancellationToken.None);
        var open = await DeadLetters.ListOpenAsync(10, null, CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(ProbeJob.RunsOf(_key).Select(r => r.Attempt), Is.EqualTo(new[] { 1, 1 }), "a fresh series: attempt 1 again");
            Assert.That((requeued!.Resolution, requeued.ResolvedBy, requeued.Requeues), Is.EqualTo(("Requeued", "support-ana", 1)));
            Assert.That(Engine.History(jobId).Single(h => h.StateName == "Enqueued" && h.Reason?.Contains("support-ana") == true).Reason,
                Is.EqualTo($"Requeued by support-ana (dead letter #{letter.Id})"));
            Assert.That(open.Single().Id, Is.Not.EqualTo(letter.Id), "failing again opens a new dead letter; the old row is history");
            Assert.That(await DeadLetters.RequeueAsync(letter.Id, "support-ana", CancellationToken.None), Is.False, "a resolved letter is not requeued twice");
        });
    }

    [Test]
    public async Task Requeue_ThroughHangfiresOwnClient_AsTheStockButtonDoes_IsRecordedTheSameWay()
    {
        var jobId = Enqueue("permanent");
        await HangfireProbe.WaitForStateAsync(Engine.Services, jobId, "Failed");

        using (JobActor.Push("ops-bob"))
        {
            // What the stock dashboard's Requeue button calls.
            Assert.That(Engine.Jobs.Requeue(jobId.ToString(CultureInfo.InvariantCulture)), Is.True);
        }

        await Eventually.WaitForAsync(() => Task.FromResult(ProbeJob.RunsOf(_key).Count), n => n == 2, what: "the requeued run");
        Assert.Multiple(async () =>
        {
            Assert.That(ProbeJob.RunsOf(_key)[1].Attempt, Is.EqualTo(1));
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters order by id limit 1"), Is.EqualTo("Requeued by ops-bob"));
        });
    }

    [Test]
    public async Task RequeueJob_SucceededRunsAgain_ScheduledOrUnknownIsRefused()
    {
        var done = Enqueue("ok");
        await HangfireProbe.WaitForStateAsync(Engine.Services, done, "Succeeded");
        var later = long.Parse(Engine.Jobs.Schedule(() => ProbeJob.RunAsync(_key + "-later", "ok", null, CancellationToken.None), TimeSpan.FromHours(1)), CultureInfo.InvariantCulture);

        Assert.Multiple(async () =>
        {
            Assert.That(DeadLetters.RequeueJob(done, "api"), Is.True);
            await Eventually.WaitForAsync(() => Task.FromResult(ProbeJob.RunsOf(_key).Count), n => n == 2, what: "second run");
            Assert.That(DeadLetters.RequeueJob(later, "api"), Is.False, "a job still waiting is not requeued");
            Assert.That(DeadLetters.RequeueJob(987654321, "api"), Is.False);
        });
    }

    [Test]
    public async Task Discard_KeepsTheRow_RecordsWho_MovesTheJobToDeleted_DeletingTheJobDiscardsToo()
    {
        var first = Enqueue("permanent");
        var second = long.Parse(Engine.Jobs.Enqueue(() => ProbeJob.RunAsync(_key + "-2", "permanent", null, CancellationToken.None)), CultureInfo.InvariantCulture);
        await HangfireProbe.WaitForStateAsync(Engine.Services, first, "Failed");
        await HangfireProbe.WaitForStateAsync(Engine.Services, second, "Failed");
        var letters = await Db.QueryAsync<(long Id, long JobId)>("select id, job_id from dead_letters order by id");
        var firstLetter = letters.Single(l => l.JobId == first).Id;

        Assert.That(await DeadLetters.DiscardAsync(firstLetter, "ops-carla", CancellationToken.None), Is.True);
        using (JobActor.Push("ops-dan"))
        {
            Engine.Jobs.Delete(second.ToString(CultureInfo.InvariantCulture)); // the stock dashboard's Delete
        }

        Assert.Multiple(async () =>
        {
            // Discard moves the job out of Failed (#17: it used to stay Failed, where the stock Requeue sent it).
            Assert.That(Engine.StateOf(first), Is.EqualTo("Deleted"));
            Assert.That(await DeadLetters.DiscardAsync(firstLetter, "ops-carla", CancellationToken.None), Is.False);
            Assert.That(await Db.QueryAsync<string>("select resolution || ' by ' || resolved_by from dead_letters order by id"),
                Is.EquivalentTo(new[] { "Discarded by ops-carla", "Discarded by ops-dan" }));
        });
    }
}
