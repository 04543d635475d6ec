using FollowUp.Jobs.Engine;
using Microsoft.Extensions.DependencyInjection;
using FollowUp.Tests.Support;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>The engine end to end on a real PostgreSQL: enqueue, schedule, retry, dead letters, cancel.</summary>
public sealed class JobEngineTests
{
    private TestDatabase _db = null!;
    private EngineHost _host = null!;
    private string _tag = null!;

    [SetUp]
    public async Task SetUp()
    {
        _tag = Guid.NewGuid().ToString("N");
        _db = await TestDatabase.CreateAsync();
        _host = await EngineHost.StartAsync(_db, e => e.AddJob<ProbeJob>().AddJob<FiveAttemptsJob>().AddJob<DeferJob>().AddJob<ClassifiedFailureJob>());
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task<string> StateOf(long id) => _db.ScalarAsync<string>("select state from jobs where id = @id", new { id });

    private Task<string> WaitForState(long id, string state, int seconds = 30) =>
        Eventually.WaitForAsync(() => StateOf(id), s => s == state, TimeSpan.FromSeconds(seconds), $"job {id} to be {state}");

    [Test]
    public async Task Enqueue_RunsOnce_AndRecordsHistory()
    {
        var id = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag));

        await WaitForState(id, "Succeeded");
        var history = await _db.QueryAsync<string>("select state from job_history where job_id = @id order by id", new { id });
        Assert.Multiple(() =>
        {
            Assert.That(Probe.Count(_tag), Is.EqualTo(1));
            Assert.That(history, Is.EqualTo(new[] { "Enqueued", "Processing", "Succeeded" }));
        });
    }

    [Test]
    public async Task Schedule_RunsAtItsInstant_NotBefore()
    {
        var at = SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(2);
        var id = await _host.Jobs.ScheduleAsync<ProbeJob>(new ProbeArgs(_tag), at);

        Assert.That(await StateOf(id), Is.EqualTo("Scheduled"));
        await WaitForState(id, "Succeeded");
        var ran = Probe.Runs[_tag].Single().At;
        var claimedAt = await _db.ScalarAsync<Instant>("select at from job_history where job_id = @id and state = 'Processing'", new { id });
        Assert.Multiple(() =>
        {
            Assert.That(ran, Is.GreaterThanOrEqualTo(at), "ran early");
            Assert.That(claimedAt, Is.GreaterThanOrEqualTo(at));
            // Generous bound: woken by its timer, not by the 2 s poll; lateness itself is measured in bench/.
            Assert.That((claimedAt - at).TotalSeconds, Is.LessThan(1.5));
        });
    }

    [Test]
    public async Task Enqueue_InCallersTransaction_RolledBack_LeavesNothing_Committed_Runs()
    {
        await using (var connection = await _db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag), tx);
            await tx.RollbackAsync();
        }

        long committed;
        await using (var connection = await _db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            committed = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag + "-c"), tx);
            await tx.CommitAsync();
        }

        await WaitForState(committed, "Succeeded");
        Assert.Multiple(async () =>
        {
            Assert.That(await _db.ScalarAsync<long>("select count(*) from jobs"), Is.EqualTo(1));
            Assert.That(await _db.ScalarAsync<long>("select count(*) from job_history where job_id <> @committed", new { committed }), Is.EqualTo(0));
            Assert.That(Probe.Count(_tag), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task FailingJob_RetriesOnFixedSchedule_ThenDeadLetters()
    {
        var id = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag, FailTimes: 99));

        await WaitForState(id, "DeadLettered");
        var runs = Probe.Runs[_tag].ToList();
        var failedAt = await _db.QueryAsync<Instant>("select at from job_history where job_id = @id and state in ('Failed', 'DeadLettered') order by id", new { id });
        var starts = await _db.QueryAsync<Instant>("select at from job_history where job_id = @id and state = 'Processing' order by id", new { id });
        var letter = await _host.Services.GetRequiredService<DeadLetters>().ListOpenAsync(10, null, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.Attempt), Is.EqualTo(new[] { 1, 2, 3 }), "exactly 3 attempts");
            // Each retry starts no sooner than the 1 s delay after the previous failure.
            Assert.That((starts[1] - failedAt[0]).TotalSeconds, Is.GreaterThanOrEqualTo(0.99));
            Assert.That((starts[2] - failedAt[1]).TotalSeconds, Is.GreaterThanOrEqualTo(0.99));
            Assert.That((starts[1] - failedAt[0]).TotalSeconds, Is.LessThan(5));
            Assert.That(letter, Has.Count.EqualTo(1));
            Assert.That(letter[0].JobId, Is.EqualTo(id));
            Assert.That(letter[0].Attempts, Is.EqualTo(3));
            Assert.That(letter[0].ExceptionType, Is.EqualTo(typeof(InvalidOperationException).FullName));
            Assert.That(letter[0].ExceptionMessage, Is.EqualTo("transient failure on attempt 3"));
            Assert.That(letter[0].ExceptionStack, Does.Contain(nameof(ProbeJob)));
        });
    }

    [Test]
    public async Task PermanentFailure_SkipsRemainingAttempts()
    {
        var id = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag, FailTimes: 99, Permanent: true));

        await WaitForState(id, "DeadLettered");
        var reason = await _db.ScalarAsync<string>("select reason from dead_letters where job_id = @id", new { id });
        Assert.Multiple(() =>
        {
            Assert.That(Probe.Count(_tag), Is.EqualTo(1));
            Assert.That(reason, Does.Contain("Permanent"));
        });
    }

    [TestCase(true, 1, TestName = "ClassifiedFailure_Permanent_DeadLettersAfterOneAttempt")]
    [TestCase(false, 3, TestName = "ClassifiedFailure_Transient_UsesAllAttempts")]
    public async Task ClassifiedFailure_IsRetriedOnlyWhenTransient(bool permanent, int expectedRuns)
    {
        var id = await _host.Jobs.EnqueueAsync<ClassifiedFailureJob>(new ClassifiedArgs(_tag, permanent));

        await WaitForState(id, "DeadLettered");
        Assert.That(Probe.Count(_tag), Is.EqualTo(expectedRuns));
    }

    [Test]
    public async Task FixedRetryAttribute_OverridesGlobalRetryForThatType()
    {
        var id = await _host.Jobs.EnqueueAsync<FiveAttemptsJob>(new ProbeArgs(_tag, FailTimes: 4));

        await WaitForState(id, "Succeeded");
        Assert.That(Probe.Runs[_tag].Select(r => r.Attempt), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
    }

    [Test]
    public async Task Requeue_DeadLetter_StartsFreshAttempts_KeepsHistory_RecordsWho()
    {
        var id = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag, FailTimes: 1, Permanent: true));
        await WaitForState(id, "DeadLettered");
        var deadLetters = _host.Services.GetRequiredService<DeadLetters>();
        var letter = (await deadLetters.ListOpenAsync(10, null, CancellationToken.None)).Single();

        Assert.That(await deadLetters.RequeueAsync(letter.Id, "alice", CancellationToken.None), Is.True);
        await WaitForState(id, "Succeeded");

        var resolved = (await deadLetters.FindAsync(letter.Id, CancellationToken.None))!;
        var history = await _db.QueryAsync<string>("select state || coalesce(':' || reason, '') from job_history where job_id = @id order by id", new { id });
        Assert.Multiple(async () =>
        {
            Assert.That(Probe.Runs[_tag].Select(r => r.Attempt), Is.EqualTo(new[] { 1, 1 }), "a fresh series starts at attempt 1");
            Assert.That(resolved.Resolution, Is.EqualTo("Requeued"));
            Assert.That(resolved.ResolvedBy, Is.EqualTo("alice"));
            Assert.That(history, Has.Some.EqualTo("Enqueued:Requeued by alice"));
            Assert.That(history.Count(h => h.StartsWith("Processing", StringComparison.Ordinal)), Is.EqualTo(2));
            Assert.That(await deadLetters.RequeueAsync(letter.Id, "bob", CancellationToken.None), Is.False, "a resolved letter cannot be requeued again");
        });
    }

    [Test]
    public async Task Discard_DeadLetter_KeepsRow_RecordsWho_JobStaysDeadLettered()
    {
        var id = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag, FailTimes: 1, Permanent: true));
        await WaitForState(id, "DeadLettered");
        var deadLetters = _host.Services.GetRequiredService<DeadLetters>();
        var letter = (await deadLetters.ListOpenAsync(10, null, CancellationToken.None)).Single();

        Assert.That(await deadLetters.DiscardAsync(letter.Id, "carol", CancellationToken.None), Is.True);

        var row = (await deadLetters.FindAsync(letter.Id, CancellationToken.None))!;
        Assert.Multiple(async () =>
        {
            Assert.That(row.Resolution, Is.EqualTo("Discarded"));
            Assert.That(row.ResolvedBy, Is.EqualTo("carol"));
            Assert.That(await StateOf(id), Is.EqualTo("DeadLettered"));
            Assert.That(await deadLetters.ListOpenAsync(10, null, CancellationToken.None), Is.Empty);
            Assert.That(await deadLetters.DiscardAsync(letter.Id, "carol", CancellationToken.None), Is.False);
        });
    }

    [Test]
    public async Task Cancel_ScheduledJob_NeverRuns_RunningOrFinishedJobCannotBeCancelled()
    {
        var id = await _host.Jobs.ScheduleAsync<ProbeJob>(new ProbeArgs(_tag), SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(1));
        Assert.That(await _host.Jobs.CancelAsync(id, "dave"), Is.True);

        var done = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag + "-done"));
        await WaitForState(done, "Succeeded");
        await Task.Delay(1_500);

        Assert.Multiple(async () =>
        {
            Assert.That(await StateOf(id), Is.EqualTo("Cancelled"));
            Assert.That(Probe.Count(_tag), Is.EqualTo(0));
            Assert.That(await _host.Jobs.CancelAsync(done, "dave"), Is.False);
            Assert.That(await _host.Jobs.CancelAsync(999_999, "dave"), Is.False);
        });
    }

    [Test]
    public async Task Requeue_SucceededJob_RunsAgain_ButScheduledJobCannotBeRequeued()
    {
        var id = await _host.Jobs.EnqueueAsync<ProbeJob>(new ProbeArgs(_tag));
        await WaitForState(id, "Succeeded");
        var scheduled = await _host.Jobs.ScheduleAsync<ProbeJob>(new ProbeArgs(_tag + "-s"), SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1));

        Assert.That(await _host.Jobs.RequeueAsync(id, "erin"), Is.True);
        await Eventually.WaitForAsync(() => Task.FromResult(Probe.Count(_tag)), n => n == 2, what: "second run");
        Assert.That(await _host.Jobs.RequeueAsync(scheduled, "erin"), Is.False);
    }

    [Test]
    public async Task Deferral_ReschedulesWithoutSpendingAnAttempt()
    {
        var id = await _host.Jobs.EnqueueAsync<DeferJob>(new DeferArgs(_tag, 500));

        await WaitForState(id, "Succeeded");
        var runs = Probe.Runs[_tag].ToList();
        var states = await _db.QueryAsync<string>("select state from job_history where job_id = @id order by id", new { id });
        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.Attempt), Is.EqualTo(new[] { 1, 1 }));
            Assert.That((runs[1].At - runs[0].At).TotalMilliseconds, Is.GreaterThanOrEqualTo(490));
            Assert.That(states, Is.EqualTo(new[] { "Enqueued", "Processing", "Scheduled", "Processing", "Succeeded" }));
        });
    }

    [Test]
    public async Task EnqueueMany_ReturnsIdsInInputOrder_AndRunsAll()
    {
        var requests = Enumerable.Range(0, 500).Select(i => JobRequest.For<ProbeJob>(new ProbeArgs($"{_tag}-{i}"))).ToList();

        var ids = await _host.Jobs.EnqueueManyAsync(requests);

        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from jobs where state = 'Succeeded'"), n => n == 500, what: "500 succeeded");
        var tags = await _db.QueryAsync<string>("select args->>'tag' from jobs where id = any(@ids) order by id", new { ids = ids.ToArray() });
        Assert.That(tags, Is.EqualTo(requests.Select(r => ((ProbeArgs)r.Args).Tag)));
    }

    [Test]
    public void Enqueue_WrongArgumentType_IsRejected_BeforeAnythingIsWritten()
    {
        Assert.ThrowsAsync<ArgumentException>(() => _host.Jobs.EnqueueAsync<ProbeJob>(new DeferArgs("x", 1)));
    }
}
