using FollowUp.Tests.Support;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>What happens when the database goes away, or another node takes a job back.</summary>
[NonParallelizable]
public sealed class ResilienceTests
{
    [Test]
    public async Task LeaseLoss_CancelsTheAttemptsToken_AndTheStaleNodeChangesNothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>());
        var tag = Guid.NewGuid().ToString("N");
        var id = await host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(tag, SleepMs: 30_000));
        await Eventually.WaitForAsync(() => Task.FromResult(Probe.Count(tag)), n => n == 1, what: "the attempt to start");

        // Another node took the job over (as the rescue would after a lease ran out).
        await db.ExecuteAsync("update jobs set node = 'other-node' where id = @id", new { id });
        var takenAt = SystemClock.Instance.GetCurrentInstant();

        var cancelledAt = await Eventually.WaitForAsync(() => Task.FromResult(Probe.CancelledAt.GetValueOrDefault(tag)),
            at => at != default, TimeSpan.FromSeconds(10), "the token to fire");
        await Task.Delay(500);
        var row = (await db.QueryAsync<(string State, string Node)>("select state, node from jobs where id = @id", new { id })).Single();
        Assert.Multiple(() =>
        {
            Assert.That((cancelledAt - takenAt).TotalSeconds, Is.LessThan(5), "within a heartbeat or two (lease 3 s, heartbeat 1 s)");
            Assert.That(row.State, Is.EqualTo("Processing"), "the stale node stored no outcome");
            Assert.That(row.Node, Is.EqualTo("other-node"));
        });
    }

    [Test]
    public async Task DatabaseCutWhileAJobFinishes_SuccessIsStoredWhenItReturns_JobRanOnce()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>(),
            new() { ["FollowUp:Engine:LeaseSeconds"] = "30" });
        var tag = Guid.NewGuid().ToString("N");
        var id = await host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(tag, SleepMs: 500));
        await Eventually.WaitForAsync(() => Task.FromResult(Probe.Count(tag)), n => n == 1, what: "the attempt to start");

        await TestDatabase.CutAsync(db.Name);
        try
        {
            await Task.Delay(2_000); // the attempt finishes while nothing can be written
        }
        finally
        {
            await TestDatabase.RestoreAsync(db.Name);
        }

        await Eventually.WaitForAsync(() => db.ScalarAsync<string>("select state from jobs where id = @id", new { id }),
            s => s == "Succeeded", TimeSpan.FromSeconds(30), "the success to be stored");
        Assert.That(Probe.Count(tag), Is.EqualTo(1), "not run again");
    }

    [Test]
    public async Task EnqueueWhileDatabaseIsCut_Throws_AndNothingIsHalfWritten()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = await EngineHost.StartAsync(db, e => e.AddJob<ProbeJob>());
        await TestDatabase.CutAsync(db.Name);
        try
        {
            Assert.CatchAsync<Npgsql.NpgsqlException>(() => host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs("lost")));
        }
        finally
        {
            await TestDatabase.RestoreAsync(db.Name);
        }

        var tag = Guid.NewGuid().ToString("N");
        var id = await Eventually.WaitForAsync(async () =>
        {
            try
            {
                return await host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(tag));
            }
            catch (Npgsql.NpgsqlException)
            {
                return 0L;
            }
        }, v => v > 0, what: "enqueue to work again");
        await Eventually.WaitForAsync(() => db.ScalarAsync<string>("select state from jobs where id = @id", new { id }), s => s == "Succeeded");
        Assert.That(await db.ScalarAsync<long>("select count(*) from jobs where args->>'tag' = 'lost'"), Is.Zero,
            "the failed enqueue left no row; the caller was told");
    }
}
