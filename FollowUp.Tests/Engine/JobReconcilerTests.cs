using System.Globalization;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Messages;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Engine;

/// <summary>Nothing scheduled is left unsent unseen: the reconciler against real jobs gone wrong, on real PostgreSQL.</summary>
public sealed class JobReconcilerTests : EngineTest
{
    private ScriptedSmsProvider _sms = null!;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["FollowUp:Engine:ReconcileGraceSeconds"] = "1",
        ["FollowUp:Engine:StuckAfterSeconds"] = "10",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        _sms = new ScriptedSmsProvider("scripted");
        services.AddSingleton<ISmsProvider>(_sms);
    }

    private async Task<ReconcilerRun> ReconcileAsync()
    {
        await using var scope = Engine.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobReconciler>().RunAsync(CancellationToken.None);
    }

    /// <summary>A message due a moment ago whose job has been taken away by <paramref name="breakIt"/>.</summary>
    private async Task<MessageInfo> OverdueAsync(Func<long, Task> breakIt)
    {
        var message = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Your reminder",
            SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1));
        await breakIt(message.JobId!.Value);
        await Db.ExecuteAsync("update messages set scheduled_for = now() - interval '5 minutes' where id = @id", new { id = message.Id });
        return message;
    }

    [Test]
    public async Task RunAsync_JobSucceededWithoutSending_MessageStillScheduled_RevivedOnce_SentAndReported()
    {
        // A Deleted job is never revived (a person deleted it, which cancels its message: DeadLetterDoorsTests);
        // a job that ended Succeeded while its message was never sent is.
        var message = await OverdueAsync(jobId =>
        {
            Engine.Jobs.ChangeState(jobId.ToString(CultureInfo.InvariantCulture), new SucceededState(null, 0, 0), ScheduledState.StateName);
            return Task.CompletedTask;
        });

        var run = await ReconcileAsync();
        var sent = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(message.Id))!, m => m.Status == MessageStatus.Sent, what: "revived send");
        var second = await ReconcileAsync();
        Assert.Multiple(async () =>
        {
            Assert.That((run.Checked, run.Revived, run.Unrevivable), Is.EqualTo((1, 1, 0)));
            Assert.That(sent.JobId, Is.Not.EqualTo(message.JobId), "a new job replaced the finished one");
            Assert.That(_sms.Calls, Has.Count.EqualTo(1));
            Assert.That(second.Revived, Is.Zero, "revived once, not every minute");
            Assert.That(await Db.ScalarAsync<string>("select detail from message_events where message_id = @id and event = 'revived'", new { id = message.Id }),
                Does.StartWith("reconciler: job succeeded but message never sent"));
            Assert.That(await Db.ScalarAsync<long>("select sum(revived) from reconciler_runs"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_JobMissingFromStorage_Revived()
    {
        var message = await OverdueAsync(_ => Db.ExecuteAsync("update messages set job_id = 987654321 where status = 'scheduled'"));

        var run = await ReconcileAsync();

        await Eventually.WaitForAsync(async () => (await Messages.FindAsync(message.Id))!.Status, s => s == MessageStatus.Sent, what: "revived send");
        Assert.That(run.Revived, Is.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_MessageWithoutAJob_IsDispatched()
    {
        var message = await OverdueAsync(_ => Db.ExecuteAsync("update messages set job_id = null where status = 'scheduled'"));
        // The dispatch loop may win the race; either way the message goes, once.
        var run = await ReconcileAsync();

        await Eventually.WaitForAsync(async () => (await Messages.FindAsync(message.Id))!.Status, s => s == MessageStatus.Sent, what: "send");
        Assert.Multiple(() =>
        {
            Assert.That(run.Unrevivable, Is.Zero);
            Assert.That(_sms.Calls, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_JobStuckInAQueueNoServerTakes_IsReEnqueuedWhereItRuns()
    {
        // Enqueued to a queue no server listens on: from outside, exactly what a stuck job looks like.
        var message = await OverdueAsync(jobId =>
        {
            Engine.Jobs.ChangeState(jobId.ToString(CultureInfo.InvariantCulture), new EnqueuedState("parked"), ScheduledState.StateName);
            return Task.CompletedTask;
        });
        Assert.That((await ReconcileAsync()).Revived, Is.Zero, "not yet: it is young");

        await Task.Delay(TimeSpan.FromSeconds(11)); // past StuckAfterSeconds (10 here)
        var run = await ReconcileAsync();

        await Eventually.WaitForAsync(async () => (await Messages.FindAsync(message.Id))!.Status, s => s == MessageStatus.Sent, what: "send");
        Assert.Multiple(async () =>
        {
            Assert.That(run.Revived, Is.EqualTo(1));
            Assert.That(await Db.ScalarAsync<string>("select detail from message_events where message_id = @id and event = 'revived'", new { id = message.Id }),
                Does.StartWith("reconciler: stuck in its queue since"));
        });
    }

    [Test]
    public async Task RunAsync_FailedJob_IsADeadLetter_LeftForAPerson()
    {
        _sms.ThenFail(FollowUp.Jobs.Channels.SendFailureKind.Permanent, "21211");
        var message = await Messages.SendSmsAsync("acme-dental", "+12125550123", "x");
        await Eventually.WaitForAsync(async () => (await Messages.FindAsync(message.Id))!.Status, s => s == MessageStatus.DeadLettered, what: "dead letter");

        var run = await ReconcileAsync();

        Assert.Multiple(() =>
        {
            Assert.That(run.Checked, Is.Zero, "dead-lettered messages are not overdue ones");
            Assert.That(_sms.Calls, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Registrar_RegistersTheReconcilerEveryMinute_AndTheOtherHousekeeping()
    {
        using var connection = Engine.Services.GetRequiredService<JobStorage>().GetConnection();
        var recurring = connection.GetRecurringJobs();

        Assert.That(recurring.Select(r => (r.Id, r.Cron)), Is.SupersetOf(new[]
        {
            (JobReconciler.RecurringId, "* * * * *"), ("replay-stalled-webhooks", "* * * * *"), ("retention", "0 3 * * *"),
        }));
        await Task.CompletedTask;
    }
}
