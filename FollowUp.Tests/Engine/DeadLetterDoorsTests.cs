using System.Globalization;
using System.Net;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Messages;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>
/// Discard means never sent, and deleting a waiting send job means cancel: every door a later requeue can
/// come through (the stock dashboard's Requeue, <c>POST /api/jobs/{id}/requeue</c>, a requeue racing the
/// discard), and the reconciler, on a real engine and PostgreSQL; the provider scripted at its port.
/// </summary>
public sealed class DeadLetterDoorsTests : EngineTest
{
    private ScriptedSmsProvider _sms = null!;

    protected override Dictionary<string, string?> Settings => new() { ["FollowUp:Engine:ReconcileGraceSeconds"] = "1" };

    protected override void ConfigureServices(IServiceCollection services)
    {
        _sms = new ScriptedSmsProvider("scripted");
        services.AddSingleton<ISmsProvider>(_sms);
    }

    private DeadLetters DeadLetters => Engine.Services.GetRequiredService<DeadLetters>();

    private async Task<(MessageInfo Message, long LetterId)> DeadLetteredAsync(string to = "+12125550123")
    {
        _sms.ThenFail(SendFailureKind.Permanent, "21211");
        var planned = await Messages.SendSmsAsync("acme-dental", to, "Hi");
        var dead = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.DeadLettered,
            what: $"message {planned.Id} dead-lettered");
        await HangfireProbe.WaitForStateAsync(Engine.Services, dead.JobId!.Value, "Failed");
        var letterId = await Db.ScalarAsync<long>("select id from dead_letters where message_id = @id", new { id = planned.Id });
        return (dead, letterId);
    }

    private Task<int> CallsTo(string to) => Task.FromResult(_sms.Calls.Count(c => c.To == to));

    [Test]
    public async Task Discard_MovesTheJobToDeleted_NamingTheDiscard_CancelsTheMessage_StockRequeueSendsNothing()
    {
        var (message, letterId) = await DeadLetteredAsync();
        var jobId = message.JobId!.Value.ToString(CultureInfo.InvariantCulture);

        Assert.That(await DeadLetters.DiscardAsync(letterId, "ops-carla", CancellationToken.None), Is.True);
        var afterDiscard = Engine.StateOf(message.JobId!.Value);
        var reason = Engine.History(message.JobId!.Value)[^1].Reason;
        // The stock Failed page's Requeue (Failed → Enqueued) no longer finds it Failed; the Deleted page's Requeue does run it.
        var failedPageRequeue = Engine.Jobs.ChangeState(jobId, new EnqueuedState(), FailedState.StateName);
        var deletedPageRequeue = Engine.Jobs.Requeue(jobId);
        await HangfireProbe.WaitForStateAsync(Engine.Services, message.JobId!.Value, "Succeeded");

        var after = (await Messages.FindAsync(message.Id))!;
        Assert.Multiple(async () =>
        {
            Assert.That(afterDiscard, Is.EqualTo("Deleted"), "discard moves the job out of Failed");
            Assert.That(reason, Is.EqualTo($"Discarded by ops-carla (dead letter #{letterId})"));
            Assert.That(failedPageRequeue, Is.False);
            Assert.That(deletedPageRequeue, Is.True);
            Assert.That(await CallsTo("+12125550123"), Is.EqualTo(1), "only the attempt that failed: the discarded message is never sent");
            Assert.That(after.Status, Is.EqualTo(MessageStatus.Cancelled));
            Assert.That(after.SkipReason, Is.EqualTo($"dead letter #{letterId} discarded by ops-carla"));
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters where id = @letterId", new { letterId }),
                Is.EqualTo("Discarded by ops-carla"));
        });
    }

    [Test]
    public async Task StockDeleteOfAFailedSendJob_DiscardsAndCancels_ItsRequeueSendsNothing()
    {
        var (message, letterId) = await DeadLetteredAsync();
        var jobId = message.JobId!.Value.ToString(CultureInfo.InvariantCulture);
        using (JobActor.Push("ops-dan"))
        {
            Engine.Jobs.Delete(jobId); // the stock Failed page's Delete
        }

        Engine.Jobs.Requeue(jobId); // then the stock Deleted page's Requeue
        await HangfireProbe.WaitForStateAsync(Engine.Services, message.JobId!.Value, "Succeeded");

        Assert.Multiple(async () =>
        {
            Assert.That(await CallsTo("+12125550123"), Is.EqualTo(1));
            Assert.That((await Messages.FindAsync(message.Id))!.Status, Is.EqualTo(MessageStatus.Cancelled));
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters where id = @letterId", new { letterId }),
                Is.EqualTo("Discarded by ops-dan"));
        });
    }

    [Test]
    public async Task Discard_ThenTheApisJobRequeue_SendsNothing()
    {
        var (message, letterId) = await DeadLetteredAsync();
        Assert.That(await DeadLetters.DiscardAsync(letterId, "ops-carla", CancellationToken.None), Is.True);

        // The web app beside this engine, sharing its database (one cluster) and its scripted provider.
        await using var api = ApiHost.Start(Db, services: s => s.AddSingleton<ISmsProvider>(_sms));
        using var response = await api.Client.PostAsync(new Uri($"/api/jobs/{message.JobId}/requeue", UriKind.Relative), null);
        await HangfireProbe.WaitForStateAsync(Engine.Services, message.JobId!.Value, "Succeeded");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "a Deleted job may be requeued; it finds its message cancelled");
            Assert.That(await CallsTo("+12125550123"), Is.EqualTo(1), "only the attempt that failed");
            Assert.That((await Messages.FindAsync(message.Id))!.Status, Is.EqualTo(MessageStatus.Cancelled));
        });
    }

    [Test]
    public async Task RequeueRacingDiscard_OneWins_ADiscardedMessageIsNeverSent()
    {
        var letters = new List<(MessageInfo Message, long LetterId)>();
        for (var i = 0; i < 6; i++)
        {
            letters.Add(await DeadLetteredAsync($"+1212555014{i}"));
        }

        // Both doors at once for each dead letter: our requeue and our discard (each through Hangfire's state change).
        var outcomes = await Task.WhenAll(letters.Select(async l =>
        {
            var requeue = Task.Run(() => DeadLetters.RequeueAsync(l.LetterId, "support-ana", CancellationToken.None));
            var discard = Task.Run(() => DeadLetters.DiscardAsync(l.LetterId, "ops-carla", CancellationToken.None));
            return (l.Message, Requeued: await requeue, Discarded: await discard);
        }));
        foreach (var o in outcomes)
        {
            await Eventually.WaitForAsync(async () => (await Messages.FindAsync(o.Message.Id))!.Status,
                s => s is MessageStatus.Sent or MessageStatus.Cancelled, what: $"message {o.Message.Id} settled");
        }

        // A last requeue through the stock door must change nothing for a discarded one.
        foreach (var o in outcomes)
        {
            Engine.Jobs.Requeue(o.Message.JobId!.Value.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var o in outcomes)
        {
            await Eventually.WaitForAsync(() => Task.FromResult(Engine.StateOf(o.Message.JobId!.Value)), s => s == "Succeeded",
                what: $"job {o.Message.JobId} to finish");
        }

        foreach (var o in outcomes)
        {
            var status = (await Messages.FindAsync(o.Message.Id))!.Status;
            var resolution = await Db.ScalarAsync<string>("select resolution from dead_letters where message_id = @id", new { id = o.Message.Id });
            var calls = await CallsTo(o.Message.Recipient);
            Assert.Multiple(() =>
            {
                Assert.That(o.Requeued ^ o.Discarded, Is.True, $"exactly one door wins for message {o.Message.Id}");
                if (o.Discarded)
                {
                    Assert.That((resolution, status, calls), Is.EqualTo(("Discarded", MessageStatus.Cancelled, 1)), $"message {o.Message.Id}: discarded, never sent");
                }
                else
                {
                    Assert.That((resolution, status, calls), Is.EqualTo(("Requeued", MessageStatus.Sent, 2)), $"message {o.Message.Id}: requeued, sent once");
                }
            });
        }
    }

    [Test]
    public async Task DeletingAScheduledSendJob_CancelsItsMessage_NamingWho_TheReconcilerNeverRevivesIt()
    {
        var message = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Your reminder",
            SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1));
        using (JobActor.Push("ops-dan"))
        {
            Engine.Jobs.Delete(message.JobId!.Value.ToString(CultureInfo.InvariantCulture)); // the stock Scheduled page's Delete
        }

        var cancelled = (await Messages.FindAsync(message.Id))!;
        await Db.ExecuteAsync("update messages set scheduled_for = now() - interval '5 minutes' where id = @id", new { id = message.Id });
        await using (var scope = Engine.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<JobReconciler>().RunAsync(CancellationToken.None);
        }

        var after = (await Messages.FindAsync(message.Id))!;
        Assert.Multiple(async () =>
        {
            Assert.That(cancelled.Status, Is.EqualTo(MessageStatus.Cancelled));
            Assert.That(cancelled.SkipReason, Is.EqualTo("deleted on the Hangfire dashboard by ops-dan"));
            Assert.That((after.Status, after.JobId), Is.EqualTo((MessageStatus.Cancelled, message.JobId)), "no new job");
            Assert.That(Engine.StateOf(message.JobId!.Value), Is.EqualTo("Deleted"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from message_events where message_id = @id and event = 'revived'", new { id = message.Id }),
                Is.Zero);
            Assert.That(_sms.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task Reconciler_MessageStillScheduledWhoseJobWasDeleted_CancelsIt_NeverRevives()
    {
        // As a job deleted before deleting cancelled (an older version): the message was left scheduled.
        var message = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Your reminder",
            SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1));
        Engine.Jobs.Delete(message.JobId!.Value.ToString(CultureInfo.InvariantCulture));
        await Db.ExecuteAsync("update messages set status = 'scheduled', skip_reason = null, scheduled_for = now() - interval '5 minutes' where id = @id",
            new { id = message.Id });

        ReconcilerRun run;
        await using (var scope = Engine.Services.CreateAsyncScope())
        {
            run = await scope.ServiceProvider.GetRequiredService<JobReconciler>().RunAsync(CancellationToken.None);
        }

        var after = (await Messages.FindAsync(message.Id))!;
        Assert.Multiple(() =>
        {
            Assert.That(run.Revived, Is.Zero);
            Assert.That((after.Status, after.JobId), Is.EqualTo((MessageStatus.Cancelled, message.JobId)));
            Assert.That(after.SkipReason, Is.EqualTo($"its job {message.JobId} was deleted on the Hangfire dashboard"));
            Assert.That(_sms.Calls, Is.Empty);
        });
    }
}
