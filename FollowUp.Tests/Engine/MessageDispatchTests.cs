using System.Globalization;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Messages;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>
/// A message and its job commit or roll back together (the outbox): real PostgreSQL, a real Hangfire
/// server, and Hangfire's <see cref="IBackgroundJobClient"/> as a Moq port where a test needs to see or
/// break what is sent to it.
/// </summary>
public sealed class MessageDispatchTests : EngineTest
{
    private ScriptedSmsProvider _sms = null!;

    protected override bool StartsEngineInSetUp => false;

    [SetUp]
    public void SetUp() => _sms = new ScriptedSmsProvider("scripted");

    private async Task<EngineHost> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        await StartEngineAsync(settings, s =>
        {
            s.AddSingleton<ISmsProvider>(_sms);
            services?.Invoke(s);
        });
        return Engine;
    }

    private static NewMessage Sms(string kind, Instant at, string to = "+12125550123") => new("acme-dental", kind, Channel.Sms, to, null, "Hello", at);

    [Test]
    public async Task PlanMany_RolledBack_LeavesNeitherMessagesNorJobs()
    {
        var host = await StartAsync();
        var messages = host.Services.GetRequiredService<IMessageClient>();
        var now = SystemClock.Instance.GetCurrentInstant();

        await using (var connection = await Db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await messages.PlanManyAsync([Sms(MessageKind.Confirmation, now), Sms(MessageKind.Reminder1h, now + Duration.FromHours(5))], tx);
            await tx.RollbackAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // several dispatcher passes (200 ms in tests)
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.Zero);
            Assert.That(HangfireProbe.SendJobCount(host.Services), Is.Zero);
            Assert.That(_sms.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task PlanMany_CommittedInTheCallersTransaction_WithoutDispatch_TheDispatcherCreatesTheJobs()
    {
        var host = await StartAsync();
        var messages = host.Services.GetRequiredService<IMessageClient>();
        // A whole second: a delayed job's due time is rounded up to one (Hangfire keeps whole seconds).
        var now = Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds());
        PlannedMessages planned;
        await using (var connection = await Db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            planned = await messages.PlanManyAsync([Sms(MessageKind.Confirmation, now), Sms(MessageKind.Reminder24h, now + Duration.FromDays(2))], tx);
            await tx.CommitAsync();
        }

        var confirmation = await Eventually.WaitForAsync(async () => (await messages.FindAsync(planned.Ids[0]))!, m => m.Status == MessageStatus.Sent, what: "confirmation sent");
        var reminder = await Eventually.WaitForAsync(async () => (await messages.FindAsync(planned.Ids[1]))!, m => m.JobId is not null, what: "reminder dispatched");
        var reminderState = host.History(reminder.JobId!.Value)[^1];
        await HangfireProbe.WaitForStateAsync(host.Services, confirmation.JobId!.Value, "Succeeded");
        Assert.Multiple(() =>
        {
            Assert.That(reminderState.StateName, Is.EqualTo("Scheduled"));
            Assert.That(JobHelper.DeserializeDateTime(reminderState.Data["EnqueueAt"]),
                Is.EqualTo((now + Duration.FromDays(2)).ToDateTimeUtc()).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(_sms.Calls, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Dispatch_UrgentKindsGoToTheCriticalQueue_OthersAreScheduledWithAReadableName()
    {
        var client = new Mock<IBackgroundJobClient>();
        var created = new List<(Job Job, IState State)>();
        client.Setup(c => c.Create(It.IsAny<Job>(), It.IsAny<IState>()))
            .Callback<Job, IState>((job, state) => created.Add((job, state)))
            .Returns(() => (1000 + created.Count).ToString(CultureInfo.InvariantCulture));
        var host = await StartAsync(new() { ["FollowUp:Engine:RunServer"] = "false" }, s => s.AddSingleton(client.Object));
        var messages = host.Services.GetRequiredService<IMessageClient>();
        // A whole second: a delayed job's due time is rounded up to one (Hangfire keeps whole seconds).
        var now = Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds());

        await messages.SendSmsAsync("acme-dental", "+12125550123", "now");
        var later = await messages.SendSmsAsync("acme-dental", "+12125550123", "later", now + Duration.FromHours(3));

        Assert.Multiple(() =>
        {
            Assert.That(created, Has.Count.EqualTo(2));
            Assert.That(created[0].Job.Queue, Is.EqualTo("critical"));
            Assert.That(created[0].State, Is.TypeOf<EnqueuedState>());
            Assert.That(((EnqueuedState)created[0].State).Queue, Is.EqualTo("critical"));
            Assert.That(created[1].State, Is.TypeOf<ScheduledState>());
            Assert.That(((ScheduledState)created[1].State).EnqueueAt, Is.EqualTo((now + Duration.FromHours(3)).ToDateTimeUtc()).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(created[1].Job.Args[1], Is.EqualTo("SMS adhoc to +1212…0123"));
            Assert.That(later.JobId, Is.EqualTo(1002));
        });
    }

    [Test]
    public async Task Dispatch_HangfireStorageFails_MessageIsKeptUndispatched_ThenTheLoopDispatchesIt()
    {
        var client = new Mock<IBackgroundJobClient>();
        var fail = true;
        client.Setup(c => c.Create(It.IsAny<Job>(), It.IsAny<IState>()))
            .Returns(() => fail ? throw new BackgroundJobClientException("storage down", new TimeoutException()) : "77");
        // The outbox loop runs on every node; a long poll keeps its next pass out of this test's way.
        var host = await StartAsync(new() { ["FollowUp:Engine:RunServer"] = "false", ["FollowUp:Engine:DispatchPollMilliseconds"] = "60000" },
            s => s.AddSingleton(client.Object));
        var messages = host.Services.GetRequiredService<IMessageClient>();

        var planned = await messages.SendSmsAsync("acme-dental", "+12125550123", "kept");
        Assert.That((planned.Status, planned.JobId), Is.EqualTo((MessageStatus.Scheduled, (long?)null)), "accepted, and waiting for its job");

        fail = false;
        var dispatcher = host.Services.GetRequiredService<MessageDispatcher>();
        Assert.That(await dispatcher.DispatchAsync(null, 10, CancellationToken.None), Is.EqualTo(1));
        Assert.That((await messages.FindAsync(planned.Id))!.JobId, Is.EqualTo(77));
    }

    [Test]
    public async Task OrphanJob_LeftByACrashBeforeItsIdWasRecorded_DoesNothing_TheMessageIsSentOnce()
    {
        var host = await StartAsync();
        var messages = host.Services.GetRequiredService<IMessageClient>();
        var dispatcher = host.Services.GetRequiredService<MessageDispatcher>();
        var planned = await messages.SendSmsAsync("acme-dental", "+12125550123", "once");
        var owner = (await Eventually.WaitForAsync(async () => (await messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent, what: "sent")).JobId!.Value;

        // A second job for the same message, as a dispatcher that died before recording its id leaves behind.
        var orphan = dispatcher.Create(planned.Id, Channel.Sms, MessageKind.AdHoc, "+12125550123", SystemClock.Instance.GetCurrentInstant(), SystemClock.Instance.GetCurrentInstant());

        await HangfireProbe.WaitForStateAsync(host.Services, orphan, "Succeeded");
        Assert.Multiple(async () =>
        {
            Assert.That(_sms.Calls, Has.Count.EqualTo(1));
            Assert.That((await messages.FindAsync(planned.Id))!.JobId, Is.EqualTo(owner));
        });
    }

    [Test]
    public async Task Create_ForAnInstantMidSecond_SchedulesTheJobAtTheNextWholeSecond_NeverBeforeIt()
    {
        var client = new Mock<IBackgroundJobClient>();
        IState? state = null;
        client.Setup(c => c.Create(It.IsAny<Job>(), It.IsAny<IState>())).Callback<Job, IState>((_, s) => state = s).Returns("5");
        var host = await StartAsync(new() { ["FollowUp:Engine:RunServer"] = "false" }, s => s.AddSingleton(client.Object));
        var now = Instant.FromUtc(2030, 1, 2, 8, 0);
        // Hangfire keeps due times in whole seconds, dropping the fraction: 09:00:00.7 would start at 09:00:00.
        var due = Instant.FromUtc(2030, 1, 2, 9, 0).PlusTicks(7_000_000);

        host.Services.GetRequiredService<MessageDispatcher>().Create(1, Channel.Sms, MessageKind.Reminder1h, "+12125550123", due, now);

        Assert.That(Instant.FromDateTimeUtc(((ScheduledState)state!).EnqueueAt), Is.EqualTo(Instant.FromUtc(2030, 1, 2, 9, 0, 1)));
    }
}
