using FollowUp.Bench.Jobs;
using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Engine;

/// <summary>Several real processes on one database: exclusivity, crash rescue, start-up race.</summary>
[NonParallelizable]
public sealed class MultiNodeTests
{
    private TestDatabase _db = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync();
        await _db.ExecuteAsync(RecordJob.CreateTableSql);
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    [Test]
    public async Task TwoProcesses_NeverRunTheSameAttemptTwice()
    {
        const int count = 3_000;
        await using var a = NodeProcess.Start("worker", _db.ConnectionString);
        await using var b = NodeProcess.Start("worker", _db.ConnectionString);
        await using var producer = await EngineHost.StartAsync(_db, e => e.AddJob<RecordJob>(),
            new() { ["FollowUp:Engine:RunWorker"] = "false" });
        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from engine_nodes where stopped_at is null"),
            n => n >= 2, TimeSpan.FromSeconds(60), "both worker processes to heartbeat");

        for (var i = 0; i < count; i += 500)
        {
            await producer.Jobs.EnqueueManyAsync(Enumerable.Range(i, 500).Select(n => JobRequest.For<RecordJob>(new RecordArgs($"n{n}"))).ToList());
        }

        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from jobs where state = 'Succeeded'"),
            n => n == count, TimeSpan.FromSeconds(120), $"{count} jobs to succeed");
        var executions = await _db.ScalarAsync<long>("select count(*) from test_executions");
        var duplicated = await _db.ScalarAsync<long>("select count(*) from (select job_id from test_executions group by job_id having count(*) > 1) d");
        var nodes = await _db.ScalarAsync<long>("select count(distinct node) from test_executions");
        Assert.Multiple(() =>
        {
            Assert.That(executions, Is.EqualTo(count), "each job executed exactly once");
            Assert.That(duplicated, Is.Zero);
            Assert.That(nodes, Is.EqualTo(2), "both processes took part");
        });
    }

    [Test]
    public async Task Kill9_MidJob_JobIsRescuedAfterItsLease_AndCompletesElsewhere()
    {
        await using var doomed = NodeProcess.Start("worker", _db.ConnectionString);
        await using var producer = await EngineHost.StartAsync(_db, e => e.AddJob<RecordJob>(),
            new() { ["FollowUp:Engine:RunWorker"] = "false" });
        var id = await producer.Jobs.EnqueueAsync<RecordJob>(new RecordArgs("slow", SleepMs: 4_000));
        var firstNode = await Eventually.WaitForAsync(
            async () => (await _db.QueryAsync<string>("select node from test_executions where job_id = @id", new { id })).FirstOrDefault(),
            n => n is not null, TimeSpan.FromSeconds(60), "the first attempt to start");

        doomed.Kill9();
        Assert.That(await _db.ScalarAsync<string>("select state from jobs where id = @id", new { id }), Is.EqualTo("Processing"));

        await using var survivor = NodeProcess.Start("worker", _db.ConnectionString);
        await Eventually.WaitForAsync(() => _db.ScalarAsync<string>("select state from jobs where id = @id", new { id }),
            s => s == "Succeeded", TimeSpan.FromSeconds(60), "the rescued job to succeed");

        var runs = await _db.QueryAsync<(int Attempt, string Node)>("select attempt, node from test_executions where job_id = @id order by id", new { id });
        var failure = await _db.ScalarAsync<string>("select exception_type from job_history where job_id = @id and state = 'Failed'", new { id });
        Assert.Multiple(() =>
        {
            Assert.That(runs, Has.Count.EqualTo(2));
            Assert.That(runs[0].Node, Is.EqualTo(firstNode));
            Assert.That(runs[1].Node, Is.Not.EqualTo(firstNode), "completed on another node");
            Assert.That(runs[1].Attempt, Is.EqualTo(2), "the lost attempt counts");
            Assert.That(failure, Is.EqualTo(typeof(JobLeaseExpiredException).FullName));
        });
    }

    [Test]
    public async Task MigrationRace_TwoProcessesStartingAtOnce_ApplyEachScriptOnce()
    {
        await using var empty = await TestDatabase.CreateAsync(migrated: false);
        await using var a = NodeProcess.Start("migrate", empty.ConnectionString);
        await using var b = NodeProcess.Start("migrate", empty.ConnectionString);

        var exitA = await a.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var exitB = await b.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var versions = await empty.QueryAsync<string>("select version from schema_migrations order by version");
        Assert.Multiple(() =>
        {
            Assert.That(exitA, Is.Zero, a.Output);
            Assert.That(exitB, Is.Zero, b.Output);
            Assert.That(versions, Is.EqualTo(FollowUp.Jobs.Storage.MigrationRunner.Scripts.Select(s => s.Version)));
            Assert.That(new[] { a.Output, b.Output }.Count(o => o.Contains("applied: 0001_engine", StringComparison.Ordinal)), Is.EqualTo(1),
                "exactly one process applied the scripts; the other found them applied");
        });
    }
}
