using System.Globalization;
using FollowUp.Tests.Support.Jobs;
using FollowUp.Tests.Support;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Engine;

/// <summary>Several real processes on one database form one Hangfire cluster: exclusivity, a kill -9, the start-up race.</summary>
[NonParallelizable]
public sealed class MultiServerTests
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

    private Task<EngineHost> ProducerAsync() => EngineHost.StartAsync(_db, new() { ["FollowUp:Engine:RunServer"] = "false" });

    private static Task<int> WaitForServersAsync(EngineHost host, int count) =>
        Eventually.WaitForAsync(() => Task.FromResult(host.Services.GetService<JobStorage>()!.GetMonitoringApi().Servers().Count),
            n => n >= count, TimeSpan.FromSeconds(60), $"{count} Hangfire servers to announce themselves");

    [Test]
    public async Task TwoProcesses_NeverRunTheSameJobTwice_BothTakePart()
    {
        const int count = 1_000;
        await using var a = NodeProcess.Start("worker", _db.ConnectionString);
        await using var b = NodeProcess.Start("worker", _db.ConnectionString);
        await using var producer = await ProducerAsync();
        await WaitForServersAsync(producer, 2);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(() =>
        {
            for (var i = c; i < count; i += 4)
            {
                var tag = $"n{i}";
                producer.Jobs.Enqueue<RecordJob>(x => x.RunAsync(tag, 0, null, CancellationToken.None));
            }
        })));

        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from test_executions"),
            n => n >= count, TimeSpan.FromSeconds(180), $"{count} executions");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a duplicate, if any, would land now
        var executions = await _db.ScalarAsync<long>("select count(*) from test_executions");
        var duplicated = await _db.ScalarAsync<long>("select count(*) from (select job_id from test_executions group by job_id having count(*) > 1) d");
        var servers = await _db.ScalarAsync<long>("select count(distinct split_part(node, ':', 1)) from test_executions");
        Assert.Multiple(() =>
        {
            Assert.That(executions, Is.EqualTo(count), "each job executed exactly once");
            Assert.That(duplicated, Is.Zero);
            Assert.That(servers, Is.EqualTo(2), "both processes took part");
        });
    }

    [Test]
    public async Task Kill9_MidJob_ItsJobsRunAgainElsewhere_AfterTheInvisibilityTimeout()
    {
        var settings = new Dictionary<string, string> { ["FollowUp:Engine:InvisibilityTimeoutSeconds"] = "10" };
        await using var doomed = NodeProcess.Start("worker", _db.ConnectionString, settings);
        await using var producer = await ProducerAsync();
        await WaitForServersAsync(producer, 1);
        var ids = Enumerable.Range(0, 4)
            .Select(i => long.Parse(producer.Jobs.Enqueue<RecordJob>(x => x.RunAsync($"slow{i}", 30_000, null, CancellationToken.None)), CultureInfo.InvariantCulture))
            .ToList();
        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from test_executions"),
            n => n == 4, TimeSpan.FromSeconds(60), "4 jobs in flight on the doomed server");

        doomed.Kill9();
        await using var survivor = NodeProcess.Start("worker", _db.ConnectionString, settings);
        foreach (var id in ids)
        {
            await HangfireProbe.WaitForStateAsync(producer.Services, id, "Succeeded", TimeSpan.FromSeconds(120));
        }

        var runs = await _db.QueryAsync<(long JobId, int Attempt, string Node)>("select job_id, attempt, node from test_executions order by id");
        var rerun = runs.GroupBy(r => r.JobId).Count(g => g.Count() == 2);
        TestContext.Out.WriteLine($"in flight at kill -9: {ids.Count}; run again elsewhere: {rerun}");
        Assert.Multiple(() =>
        {
            Assert.That(runs, Has.Count.EqualTo(8), "each in-flight job ran once more: at least once, never lost");
            Assert.That(rerun, Is.EqualTo(ids.Count));
            Assert.That(runs.Skip(4).Select(r => r.Node), Is.All.Not.EqualTo(runs[0].Node), "completed on the other server");
            Assert.That(runs.Select(r => r.Attempt), Is.All.EqualTo(1), "a lost run is not a failed attempt");
        });
    }

    [Test]
    public async Task MigrationRace_TwoProcessesStartingAtOnce_ApplyEachScriptOnce_AndHangfiresSchema()
    {
        await using var empty = await TestDatabase.CreateAsync(migrated: false);
        await using var a = NodeProcess.Start("migrate", empty.ConnectionString);
        await using var b = NodeProcess.Start("migrate", empty.ConnectionString);

        var exitA = await a.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var exitB = await b.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var versions = await empty.QueryAsync<string>("select version from schema_migrations order by version");
        Assert.Multiple(async () =>
        {
            Assert.That(exitA, Is.Zero, a.Output);
            Assert.That(exitB, Is.Zero, b.Output);
            Assert.That(versions, Is.EqualTo(FollowUp.Jobs.Storage.MigrationRunner.Scripts.Select(s => s.Version)));
            Assert.That(new[] { a.Output, b.Output }.Count(o => o.Contains("applied: 0001_engine", StringComparison.Ordinal)), Is.EqualTo(1),
                "exactly one process applied the scripts; the other found them applied");
            Assert.That(await empty.ScalarAsync<long>("select count(*) from hangfire.schema"), Is.EqualTo(1), "Hangfire's schema, once");
            Assert.That(await empty.ScalarAsync<bool>("select exists (select 1 from information_schema.tables where table_name like 'qrtz%' or table_name = 'jobs')"),
                Is.False, "the retired engine's and Quartz's tables are gone");
        });
    }
}
