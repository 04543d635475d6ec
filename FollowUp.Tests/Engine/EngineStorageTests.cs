using System.Globalization;
using System.Reflection;
using Dapper;
using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FollowUp.Tests.Engine;

/// <summary>
/// Hangfire's distributed locks as PostgreSQL session advisory locks: exclusive across connections and
/// nodes, re-entrant on one connection, freed the moment their session dies, and the lock table closed to
/// a node that would still take row locks.
/// </summary>
public sealed class EngineStorageTests : EngineTest
{
    protected override bool CreatesTestClients => false;

    private JobStorage Storage => Engine.Services.GetRequiredService<JobStorage>();

    [Test]
    public void TheLibraryMemberReplaced_IsStillTheOneItsLocksGoThrough()
    {
        // Written against Hangfire.PostgreSql 1.21.1. If an upgrade moves lock-taking elsewhere (a new
        // member, a sealed connection, locks inside write transactions), this fails first: re-read the
        // library's PostgreSqlConnection and PostgreSqlWriteOnlyTransaction before changing the version.
        var library = typeof(PostgreSqlConnection).Assembly.GetName().Version;
        var member = typeof(PostgreSqlConnection).GetMethod(nameof(PostgreSqlConnection.AcquireDistributedLock), [typeof(string), typeof(TimeSpan)])!;
        var ours = typeof(EngineStorageConnection).GetMethod(nameof(PostgreSqlConnection.AcquireDistributedLock), [typeof(string), typeof(TimeSpan)])!;
        var jobData = typeof(PostgreSqlConnection).GetMethod(nameof(PostgreSqlConnection.GetJobData), [typeof(string)])!;
        var ourJobData = typeof(EngineStorageConnection).GetMethod(nameof(PostgreSqlConnection.GetJobData), [typeof(string)])!;
        var transactionLocks = typeof(PostgreSqlWriteOnlyTransaction).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.Contains("Lock", StringComparison.Ordinal)).Select(m => m.Name);
        Assert.Multiple(() =>
        {
            Assert.That(library, Is.EqualTo(new Version(1, 21, 1, 0)), "Hangfire.PostgreSql version this override was checked against");
            Assert.That(member.IsVirtual && !member.IsFinal, Is.True);
            Assert.That(ours.DeclaringType, Is.EqualTo(typeof(EngineStorageConnection)));
            Assert.That(ours.GetBaseDefinition().DeclaringType, Is.EqualTo(typeof(JobStorageConnection)));
            Assert.That(jobData.IsVirtual && !jobData.IsFinal, Is.True);
            Assert.That(ourJobData.DeclaringType, Is.EqualTo(typeof(EngineStorageConnection)));
            Assert.That(transactionLocks, Is.Empty, "the library's write transaction takes no locks of its own");
            Assert.That(Storage, Is.TypeOf<EngineStorage>());
            Assert.That(Storage.GetConnection(), Is.TypeOf<EngineStorageConnection>());
        });
    }

    [Test]
    public void GetJobData_IsTheLibrarysJob_WithItsParameters()
    {
        var id = Engine.Jobs.Schedule(() => ProbeJob.RunAsync("never", "ok", null, CancellationToken.None), TimeSpan.FromDays(1));
        using (var writer = Storage.GetConnection())
        {
            writer.SetJobParameter(id, "RetryCount", "2");
            writer.SetJobParameter(id, "Empty", null);
        }

        using var ours = Storage.GetConnection();
        using var library = LibraryStorage().GetConnection();
        var mine = ours.GetJobData(id)!;
        var theirs = library.GetJobData(id)!;
        Assert.Multiple(() =>
        {
            Assert.That(mine.State, Is.EqualTo(theirs.State).And.EqualTo("Scheduled"));
            Assert.That(mine.CreatedAt, Is.EqualTo(theirs.CreatedAt));
            Assert.That(mine.CreatedAt.Kind, Is.EqualTo(theirs.CreatedAt.Kind));
            Assert.That(mine.Job.Type, Is.EqualTo(theirs.Job.Type));
            Assert.That(mine.Job.Method, Is.EqualTo(theirs.Job.Method));
            Assert.That(mine.Job.Args, Is.EqualTo(theirs.Job.Args));
            Assert.That(mine.Job.Queue, Is.EqualTo(theirs.Job.Queue));
            Assert.That(mine.LoadException, Is.Null);
            Assert.That(theirs.ParametersSnapshot, Is.Null, "the library reads no parameters with the job (if it starts to, drop our override)");
            Assert.That(mine.ParametersSnapshot["RetryCount"], Is.EqualTo(library.GetJobParameter(id, "RetryCount")).And.EqualTo("2"));
            Assert.That(mine.ParametersSnapshot["Empty"], Is.Null);
            Assert.That(mine.ParametersSnapshot.Keys, Is.EquivalentTo(Db.QueryAsync<string>("select name from hangfire.jobparameter where jobid = @id", new { id = long.Parse(id, CultureInfo.InvariantCulture) }).Result));
            Assert.That(ours.GetJobData("999999999"), Is.Null);
        });
    }

    [Test]
    public async Task GetJobData_AJobWhoseMethodIsGone_IsReportedAsTheLibraryReportsIt()
    {
        var id = Engine.Jobs.Schedule(() => ProbeJob.RunAsync("never", "ok", null, CancellationToken.None), TimeSpan.FromDays(1));
        await Db.ExecuteAsync("update hangfire.job set invocationdata = jsonb_set(invocationdata, '{Method}', '\"Gone\"') where id = @id",
            new { id = long.Parse(id, CultureInfo.InvariantCulture) });

        using var ours = Storage.GetConnection();
        using var library = LibraryStorage().GetConnection();
        var mine = ours.GetJobData(id)!;
        var theirs = library.GetJobData(id)!;
        Assert.Multiple(() =>
        {
            Assert.That(mine.Job, Is.Null);
            Assert.That(mine.LoadException, Is.Not.Null);
            Assert.That(mine.LoadException!.GetType(), Is.EqualTo(theirs.LoadException!.GetType()));
            Assert.That(mine.State, Is.EqualTo(theirs.State));
        });
    }

    [Test]
    public async Task JobsRunThroughTheirStates_NoLockRowIsWritten()
    {
        var key = Guid.NewGuid().ToString("N");
        var ids = Enumerable.Range(0, 20)
            .Select(_ => long.Parse(Engine.Jobs.Enqueue(() => ProbeJob.RunAsync(key, "ok", null, CancellationToken.None)), CultureInfo.InvariantCulture))
            .ToList();

        foreach (var id in ids)
        {
            await HangfireProbe.WaitForStateAsync(Engine.Services, id, "Succeeded");
        }

        Assert.Multiple(async () =>
        {
            Assert.That(ProbeJob.RunsOf(key), Has.Count.EqualTo(20));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from hangfire.lock where resource <> 'locks:expirationmanager'"), Is.Zero);
            Assert.That(await Db.ScalarAsync<bool>("select exists (select 1 from pg_constraint where conname = 'lock_rows_retired')"), Is.True);
        });
    }

    [Test]
    public void Lock_IsExclusiveAcrossConnections_AndReentrantOnOne()
    {
        using var first = Storage.GetConnection();
        using var second = Storage.GetConnection();
        var outer = first.AcquireDistributedLock("test:exclusive", TimeSpan.FromSeconds(1));
        var inner = first.AcquireDistributedLock("test:exclusive", TimeSpan.FromSeconds(1));

        Assert.That(() => second.AcquireDistributedLock("test:exclusive", TimeSpan.FromMilliseconds(300)),
            Throws.InstanceOf<DistributedLockTimeoutException>());
        inner.Dispose();
        Assert.That(() => second.AcquireDistributedLock("test:exclusive", TimeSpan.FromMilliseconds(300)),
            Throws.InstanceOf<DistributedLockTimeoutException>(), "still held by the outer lock");
        using (second.AcquireDistributedLock("test:other", TimeSpan.FromMilliseconds(300)))
        {
            // Another resource is not blocked.
        }

        outer.Dispose();
        using var taken = second.AcquireDistributedLock("test:exclusive", TimeSpan.FromMilliseconds(300));
        Assert.That(taken, Is.Not.Null);
    }

    [Test]
    public async Task AWaiter_GetsTheLockWhenItIsReleased()
    {
        using var first = Storage.GetConnection();
        using var second = Storage.GetConnection();
        var held = first.AcquireDistributedLock("test:wait", TimeSpan.FromSeconds(1));

        var waiting = Task.Run(() => second.AcquireDistributedLock("test:wait", TimeSpan.FromSeconds(30)));
        await Task.Delay(300);
        Assert.That(waiting.IsCompleted, Is.False, "waits while the lock is held");
        held.Dispose();

        using var taken = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(await HoldersAsync("test:wait"), Is.EqualTo(1), "the waiter's session holds it; the releaser's is back in the pool holding nothing");
    }

    [Test]
    public async Task HolderSessionKilled_TheLockIsFreeAtOnce_AndTheHolderReleasesQuietly()
    {
        using var first = Storage.GetConnection();
        using var second = Storage.GetConnection();
        var held = first.AcquireDistributedLock("test:killed", TimeSpan.FromSeconds(1));

        // What a kill -9 of the node or a database restart does to the holder's session.
        Assert.That(await HoldersAsync("test:killed"), Is.EqualTo(1));
        await Db.ExecuteAsync($"select pg_terminate_backend(pid) from pg_locks where {Holding("test:killed")}");

        // With lock rows the row would stay until LockTimeoutSeconds (30 s) expired it.
        using (second.AcquireDistributedLock("test:killed", TimeSpan.FromSeconds(2)))
        {
            Assert.That(await HoldersAsync("test:killed"), Is.EqualTo(1));
        }

        Assert.That(held.Dispose, Throws.Nothing);
        using var again = first.AcquireDistributedLock("test:killed", TimeSpan.FromSeconds(2));
        Assert.That(again, Is.Not.Null, "the holder's connection takes a fresh session afterwards");
    }

    [Test]
    public void ANodeStillOnRowLocks_CannotTakeALock()
    {
        using var connection = LibraryStorage().GetConnection();

        Assert.That(() => connection.AcquireDistributedLock("job:1:state-lock", TimeSpan.FromSeconds(1)),
            Throws.InstanceOf<DistributedLockTimeoutException>());
        Assert.That(async () => await Db.ExecuteAsync(
            "insert into hangfire.lock (resource, acquired) values ('locks:expirationmanager', now())"), Throws.Nothing,
            "the library's expiration manager still row-locks its own resource");
    }

    /// <summary>Hangfire.PostgreSql's own storage (row locks, its own GetJobData) on this test's database.</summary>
    private PostgreSqlStorage LibraryStorage()
    {
        var options = new PostgreSqlStorageOptions { SchemaName = EngineOptions.HangfireSchema, PrepareSchemaIfNecessary = false, UseNativeDatabaseTransactions = true };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(Db.ConnectionString, options), options);
    }

    /// <summary>How many sessions hold Hangfire resource <paramref name="resource"/>'s advisory lock.</summary>
    private Task<long> HoldersAsync(string resource) =>
        Db.ScalarAsync<long>($"select count(distinct pid) from pg_locks where {Holding(resource)}");

    /// <summary>pg_locks' row of a granted single-bigint advisory lock: the key's high half in classid, its low half in objid.</summary>
    private static string Holding(string resource)
    {
        var key = AdvisoryLocks.KeyOf($"{EngineOptions.HangfireSchema}:{resource}");
        return FormattableString.Invariant($"""
            locktype = 'advisory' and granted and objsubid = 1 and database = (select oid from pg_database where datname = current_database())
            and classid = {(uint)(key >> 32)} and objid = {(uint)(key & 0xFFFFFFFF)}
            """);
    }
}
