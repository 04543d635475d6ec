using System.Text.Json;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Contracts;
using FollowUp.Jobs.Copy;
using FollowUp.Jobs.Storage;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Tests.Copy;

/// <summary>The personalise job never holds a send: confirmations due now, the replace statement's guard, the job run by the engine.</summary>
public sealed partial class PersonaliseCallJobTests
{
    [Test]
    public async Task ConfirmationDueNow_WithMaxWait_IsPlannedThatMuchLater_AndRewritten()
    {
        await StartAsync(ai: c => c with { Kinds = ["confirmation"], MaxWaitMs = 8000 });
        var before = SystemClock.Instance.GetCurrentInstant();
        await AcceptBookedAsync();
        _model.Then(FakeAnthropicReply.Message($"Thanks for calling Acme Dental, Ana! Your cleaning is booked for {Time}. See you then."));

        await PersonaliseAsync();

        var confirmation = await CopyOf("confirmation");
        var delay = await Db.ScalarAsync<double>("select extract(epoch from scheduled_for - created_at) from messages where kind = 'confirmation'");
        Assert.Multiple(() =>
        {
            Assert.That(delay, Is.EqualTo(8.0).Within(0.5));
            Assert.That(confirmation.WrittenBy, Is.EqualTo("ai"), confirmation.AiKeptReason);
            Assert.That(SystemClock.Instance.GetCurrentInstant() - before, Is.LessThan(Duration.FromSeconds(8)));
        });
    }

    [Test]
    public async Task Engine_RunsThePersonaliseJobByItself_AfterTheCommit()
    {
        await StartAsync(runServer: true);
        _model.Otherwise = FakeAnthropicReply.Message(GoodReminder);

        await AcceptBookedAsync();

        var body = await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select written_by from messages where kind = 'reminder_24h'"),
            w => w == "ai", what: "the reminder rewritten by the job Hangfire ran");
        // The job marks its request done after the rewrite lands (its last step), so that is waited for too.
        var requestDone = await Eventually.WaitForAsync(() => Db.ScalarAsync<bool>("select job_id is not null and done_at is not null from copy_requests"),
            done => done, what: "the copy request to have its job and be marked done");
        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo("ai"));
            Assert.That(requestDone, Is.True);
        });
    }

    [TestCase("sending")]
    [TestCase("due")]
    public async Task Replace_MessageSendingOrDue_ChangesNothing_SoASendIsNeverHeldOrChangedUnderIt(string state)
    {
        await StartAsync();
        await AcceptBookedAsync();
        var id = await Db.ScalarAsync<long>("select id from messages where kind = 'reminder_24h' and channel = 'sms'");
        var template = (await CopyOf("reminder_24h")).Body;
        await Db.ExecuteAsync(state == "sending"
            ? "update messages set status = 'sending' where id = @id"
            : "update messages set scheduled_for = now() - interval '1 second' where id = @id", new { id });

        var replaced = await Engine.Services.GetRequiredService<CopyStore>().ReplaceAsync(id, GoodReminder,
            new CopyDraft(GoodReminder, "claude-haiku-4-5", 420, 60), 0.00072m, CancellationToken.None);

        var reminder = await CopyOf("reminder_24h");
        Assert.Multiple(() =>
        {
            Assert.That(replaced, Is.False);
            Assert.That(reminder.Body, Is.EqualTo(template));
            Assert.That(reminder.WrittenBy, Is.EqualTo("template"));
        });
    }

    [Test]
    public async Task ConfirmationAllowedAShortWait_ModelSlowerThanTheWait_GoesWithItsTemplate()
    {
        await StartAsync(ai: c => c with { Kinds = ["confirmation"], MaxWaitMs = 1000 });
        await AcceptBookedAsync();
        var template = (await CopyOf("confirmation")).Body;
        _model.Then(FakeAnthropicReply.Message($"Thanks for calling Acme Dental, Ana! Your cleaning is booked for {Time}.") with { Delay = TimeSpan.FromSeconds(3) });

        await PersonaliseAsync();

        var confirmation = await CopyOf("confirmation");
        Assert.Multiple(() =>
        {
            Assert.That(confirmation.Body, Is.EqualTo(template));
            Assert.That(confirmation.AiKeptReason, Is.EqualTo(KeptReasons.Timeout), "the call is cut off when the message is due, before the 5 s timeout");
        });
    }
}
