using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Messages;

/// <summary>Cancelling a message, or a send job, keeps the two in step (real PostgreSQL).</summary>
public sealed class MessageCancelTests
{
    private TestDatabase _db = null!;
    private ApiHost _api = null!;
    private IMessageClient _messages = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync();
        _api = ApiHost.Start(_db);
        await TestClients.CreateAsync(_api.Services);
        _messages = _api.Services.GetRequiredService<IMessageClient>();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task<MessageInfo> Tomorrow() =>
        _messages.SendSmsAsync("acme-dental", "+12125550123", "See you tomorrow", SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(1));

    private async Task<(string Status, string? SkipReason, string? JobState)> State(long id)
    {
        var message = (await _messages.FindAsync(id))!;
        return (message.Status, message.SkipReason, HangfireProbe.StateOf(_api.Services, message.JobId!.Value));
    }

    [Test]
    public async Task CancelAsync_Scheduled_MessageAndJobCancelled_SecondTimeFalse()
    {
        var message = await Tomorrow();
        var first = await _messages.CancelAsync(message.Id, "ops@acme");
        var second = await _messages.CancelAsync(message.Id, "ops@acme");
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
        var cancelled = await _messages.CancelJobAsync(message.JobId!.Value, "ops@acme");
        var sent = await _messages.SendSmsAsync("acme-dental", "+12125550123", "Now");
        await Eventually.WaitForAsync(() => _db.ScalarAsync<string>("select status from messages where id = @id", new { id = sent.Id }), s => s == "sent");
        var tooLate = await _messages.CancelJobAsync(sent.JobId!.Value, "ops@acme");
        Assert.Multiple(async () =>
        {
            Assert.That(cancelled, Is.True);
            Assert.That(await State(message.Id), Is.EqualTo(("cancelled", (string?)"cancelled by ops@acme", (string?)"Deleted")));
            Assert.That(tooLate, Is.False);
            Assert.That((await State(sent.Id)).Status, Is.EqualTo("sent"));
        });
    }
}
