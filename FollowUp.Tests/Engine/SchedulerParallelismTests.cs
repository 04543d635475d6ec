using System.Globalization;
using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Hangfire;

namespace FollowUp.Tests.Engine;

/// <summary>
/// The delayed-job scheduler moving due jobs to their queue several at once
/// (<see cref="EngineOptions.SchedulerParallelism"/>): every job still runs exactly once, with the
/// history a planned job has (Scheduled → Processing → Succeeded), on the advisory-lock storage.
/// </summary>
public sealed class SchedulerParallelismTests : EngineTest
{
    private const int Jobs = 300;

    protected override bool CreatesTestClients => false;

    protected override Dictionary<string, string?> Settings => new() { ["FollowUp:Engine:SchedulerParallelism"] = "8" };

    [Test]
    public async Task ABurstDueAtOnce_MovedEightAtATime_EachJobRunsOnce_WithADelayedJobsHistory()
    {
        var key = Guid.NewGuid().ToString("N");
        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        var ids = Enumerable.Range(0, Jobs)
            .Select(_ => long.Parse(Engine.Jobs.Schedule(() => ProbeJob.RunAsync(key, "ok", null, CancellationToken.None), due), CultureInfo.InvariantCulture))
            .ToList();

        await Eventually.WaitForAsync(() => Task.FromResult(ProbeJob.RunsOf(key).Count), n => n >= Jobs, what: "every job to run", timeout: TimeSpan.FromMinutes(2));
        foreach (var id in ids)
        {
            await HangfireProbe.WaitForStateAsync(Engine.Services, id, "Succeeded");
        }

        var runs = ProbeJob.RunsOf(key);
        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.JobId).Order(), Is.EqualTo(ids.Order()), "each job once, none twice");
            Assert.That(ids.Select(id => string.Join(" → ", Engine.History(id).Select(h => h.StateName))).Distinct(),
                Is.EqualTo(new[] { "Scheduled → Enqueued → Processing → Succeeded" }), "a job with no queue of its own is enqueued by the scheduler");
        });
    }

    [TestCase(0)]
    [TestCase(65)]
    public void SchedulerParallelism_OutOfRange_RefusedAtStartUp_NamingTheKey(int value)
    {
        var result = new EngineOptions.Validator().Validate(null, new EngineOptions { SchedulerParallelism = value });

        Assert.That(result.Failures, Has.Some.Contains("FollowUp:Engine:SchedulerParallelism"));
    }
}
