using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Messages;

/// <summary>Cancelling a message, or a send job, keeps the two in step (real PostgreSQL).</summary>
public sealed class MessageCancelTests : ApiTest
{
    private IMessageClient Messages => Api.Services.GetRequiredService<IMessageClient>();

    private Task<MessageInfo> Tomorrow() =>
        Messages.SendSmsAsync("acme-dental", "+12125550123", "See you tomorrow", SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(1));

    private async Task<(string Status, string? SkipReason, string? JobState)> State(long id)
    {
        var message = (await Messages.FindAsync(id))!;
        return (message.Status, message.SkipReason, HangfireProbe.StateOf(Api.Services, message.JobId!.Value));
    }

    [Test]
    public async Task CancelAsync_Scheduled_MessageAndJobCancelled_SecondTimeFalse()
    {
        var message = await Tomorrow();
        var first = await Messages.CancelAsync(message.Id, "ops@acme");
        var second = await Messages.CancelAsync(message.Id, "ops@acme");
        Assert.Multiple(async () =>
        {
            Assert.That((first, second), Is.EqualTo((true, false)));
            Assert.That(await State(message.Id), Is.EqualTo(("cancelled", (string?)"cancelled by ops@acme", (string?)"Deleted")));
        });
    }

    [Test]
    public async Task CancelJobAsync_SendJob_ItsMessageFollows_NotASentOne()
    {
        var message = await Tomorrow();
        var cancelled = await Messages.CancelJobAsync(message.JobId!.Value, "ops@acme");
        var sent = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Now");
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select status from messages where id = @id", new { id = sent.Id }), s => s == "sent");
        var tooLate = await Messages.CancelJobAsync(sent.JobId!.Value, "ops@acme");
        Assert.Multiple(async () =>
        {
            Assert.That(cancelled, Is.True);
            Assert.That(await State(message.Id), Is.EqualTo(("cancelled", (string?)"cancelled by ops@acme", (string?)"Deleted")));
            Assert.That(tooLate, Is.False);
            Assert.That((await State(sent.Id)).Status, Is.EqualTo("sent"));
        });
    }
}
