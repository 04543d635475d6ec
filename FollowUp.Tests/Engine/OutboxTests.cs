using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Contracts;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Notifications;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using FollowUp.Tests.Web;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>
/// The outbox's batches: a batch of messages (or notifications), their Hangfire jobs and the job ids commit
/// in one PostgreSQL transaction (one enlisted connection, no two-phase commit), roll back together, and a
/// committer's signal wakes the dispatcher without waiting for its poll. Real PostgreSQL, real Hangfire
/// storage; the Moq port of <see cref="IBackgroundJobClient"/> only where a test must hold a create back.
/// </summary>
public sealed class OutboxTests : EngineTest
{
    // Polling so slow that anything these tests see dispatched was dispatched by a call or a signal.
    private static readonly Dictionary<string, string?> NoPoll = new()
    {
        ["FollowUp:Engine:RunServer"] = "false",
        ["FollowUp:Engine:DispatchPollMilliseconds"] = "60000",
    };

    protected override bool StartsEngineInSetUp => false;

    private async Task<EngineHost> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        await StartEngineAsync(settings, services);
        return Engine;
    }

    private async Task<PlannedMessages> PlanCommittedAsync(EngineHost host, int count, string body = "Hello")
    {
        var messages = host.Services.GetRequiredService<IMessageClient>();
        var later = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(2);
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var planned = await messages.PlanManyAsync(Enumerable.Range(0, count)
            .Select(i => new NewMessage("acme-dental", MessageKind.Reminder24h, Channel.Sms, "+12125550123", null, i == count - 1 ? body : "Hello", later))
            .ToArray(), tx);
        await tx.CommitAsync();
        return planned;
    }

    [Test]
    public async Task Dispatch_ABatch_ItsJobsAndTheirIdsCommitInOnePostgreSqlTransaction()
    {
        var host = await StartAsync(NoPoll);
        await PlanCommittedAsync(host, 5);

        var dispatched = await host.Services.GetRequiredService<MessageDispatcher>().DispatchAsync(null, 100, CancellationToken.None);

        // xmin is the id of the transaction that wrote a row's current version: the messages' job ids and
        // the jobs themselves (inserted, then given their Scheduled state) share one. Two connections, or a
        // job created before its id was written, would show two or more. A test may read Hangfire's table;
        // product code reads it only through Hangfire's API.
        var transactions = await Db.QueryAsync<string>("""
            select distinct x from (
                select m.xmin::text as x from messages m where m.job_id is not null
                union all
                select j.xmin::text from hangfire.job j join messages m on m.job_id = j.id) t
            """);
        Assert.Multiple(async () =>
        {
            Assert.That(dispatched, Is.EqualTo(5));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where job_id is null"), Is.Zero);
            Assert.That(HangfireProbe.SendJobCount(host.Services), Is.EqualTo(5));
            Assert.That(transactions, Has.Count.EqualTo(1), "one transaction for the batch: " + string.Join(", ", transactions));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from pg_prepared_xacts"), Is.Zero, "no two-phase commit");
        });
    }

    [Test]
    public async Task Dispatch_WriteBackOfTheIdsFails_NoJobIsLeftAndEveryMessageWaitsForTheNextPass()
    {
        var host = await StartAsync(NoPoll);
        await PlanCommittedAsync(host, 3, body: "poison");
        // A fault after the jobs were created: the write-back of the last message's job id fails.
        await Db.ExecuteAsync("""
            create function refuse_poison() returns trigger language plpgsql as $$
            begin
                if new.body = 'poison' and new.job_id is not null then raise exception 'write-back refused'; end if;
                return new;
            end $$;
            create trigger refuse_poison before update on messages for each row execute function refuse_poison();
            """);

        var dispatcher = host.Services.GetRequiredService<MessageDispatcher>();
        Assert.That(async () => await dispatcher.DispatchAsync(null, 100, CancellationToken.None), Throws.InstanceOf<Npgsql.PostgresException>());

        Assert.Multiple(async () =>
        {
            Assert.That(HangfireProbe.SendJobCount(host.Services), Is.Zero, "no job without its message's id: none orphaned");
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where job_id is null and status = 'scheduled'"), Is.EqualTo(3));
        });

        await Db.ExecuteAsync("drop trigger refuse_poison on messages");
        Assert.That(await dispatcher.DispatchAsync(null, 100, CancellationToken.None), Is.EqualTo(3), "the next pass takes them");
        Assert.That(HangfireProbe.SendJobCount(host.Services), Is.EqualTo(3));
    }

    [Test]
    public async Task RequestDispatch_WakesTheDispatcherAtOnce_WithoutItsPoll()
    {
        var host = await StartAsync(NoPoll);
        var planned = await PlanCommittedAsync(host, 2);

        host.Services.GetRequiredService<IMessageClient>().RequestDispatch(planned);

        // Well inside the 60 s poll: only the signal can have done it.
        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from messages where job_id is not null"), n => n == 2,
            TimeSpan.FromSeconds(20), "both messages dispatched after the signal");
        Assert.That(HangfireProbe.SendJobCount(host.Services), Is.EqualTo(2));
    }

    [Test]
    public async Task CallIntake_AnswersAtItsCommit_WhileHangfireIsStillCreatingTheJobs()
    {
        // Hangfire's client held back: every Create waits until the test releases it.
        using var gate = new ManualResetEventSlim(false);
        var creates = 0;
        var client = new Mock<IBackgroundJobClient>();
        client.Setup(c => c.Create(It.IsAny<Job>(), It.IsAny<IState>()))
            .Returns(() =>
            {
                gate.Wait(TimeSpan.FromSeconds(60));
                return (100 + Interlocked.Increment(ref creates)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            });
        var host = await StartAsync(NoPoll, s => s.AddSingleton(client.Object));
        var intake = host.Services.GetRequiredService<CallIntake>();
        var json = CallWebhookTests.Booked();
        var call = System.Text.Json.JsonSerializer.Deserialize<CallEvent>(json, FollowUp.Jobs.Storage.FollowUpJson.Options)!;

        var accepting = intake.AcceptAsync(CallSource.FollowUp, call, json, null, CancellationToken.None);
        var answered = await Task.WhenAny(accepting, Task.Delay(TimeSpan.FromSeconds(30))) == accepting;
        var jobIdsWhenAnswered = await Db.ScalarAsync<long>("select count(*) from messages where job_id is not null");
        gate.Set();

        Assert.Multiple(async () =>
        {
            Assert.That(answered, Is.True, "the webhook is answered while Hangfire's Create is held back");
            Assert.That((await accepting).Status, Is.EqualTo(IntakeStatus.Accepted));
            Assert.That(jobIdsWhenAnswered, Is.Zero);
        });
        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from messages where job_id is not null"), n => n == 6,
            what: "the dispatcher gives the six messages their jobs once Hangfire answers");
    }

    [Test]
    public async Task NotificationDispatch_ABatch_ItsJobsAndTheirIdsCommitInOneTransaction()
    {
        var host = await StartAsync(NoPoll);
        await Db.ExecuteAsync("""
            insert into notifications (client_id, type, data, created_at, status)
            select 'acme-dental', 'reply.received', '{}'::jsonb, now(), 'pending' from generate_series(1, 4)
            """);

        var dispatched = await host.Services.GetRequiredService<NotificationDispatcher>().DispatchAsync(100, CancellationToken.None);

        var transactions = await Db.QueryAsync<string>("""
            select distinct x from (
                select n.xmin::text as x from notifications n where n.job_id is not null
                union all
                select j.xmin::text from hangfire.job j join notifications n on n.job_id = j.id) t
            """);
        Assert.Multiple(() =>
        {
            Assert.That(dispatched, Is.EqualTo(4));
            Assert.That(transactions, Has.Count.EqualTo(1), "one transaction for the batch: " + string.Join(", ", transactions));
        });
    }
}
