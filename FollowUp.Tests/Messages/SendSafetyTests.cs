using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Messages;

/// <summary>
/// #11's safety cases on a real engine and PostgreSQL, providers faked at the ISmsProvider port: no
/// second copy through failover, no message left "sending", a database blip after the send.
/// </summary>
public sealed class SendSafetyTests : EngineTest
{
    private ScriptedSmsProvider _primary = null!;
    private ScriptedSmsProvider _secondary = null!;

    protected override bool StartsEngineInSetUp => false;

    private Task StartAsync(Dictionary<string, string?>? overrides = null)
    {
        _primary = new ScriptedSmsProvider("primary");
        _secondary = new ScriptedSmsProvider("secondary");
        return StartEngineAsync(overrides, s =>
        {
            s.AddSingleton<ISmsProvider>(_primary);
            s.AddSingleton<ISmsProvider>(_secondary);
        });
    }

    private Task<MessageInfo> WaitForStatus(long id, params string[] statuses) =>
        Eventually.WaitForAsync(async () => (await Messages.FindAsync(id))!, m => statuses.Contains(m.Status),
            TimeSpan.FromSeconds(30), $"message {id} to be {string.Join("/", statuses)}");

    [Test]
    public async Task FailureThatMayHaveBeenSent_IsNotFailedOver_TheRetrySendsThroughTheSameProvider()
    {
        await StartAsync();
        _primary.ThenFail(SendFailureKind.Transient, "500", mayHaveBeenSent: true);

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");

        var sent = await WaitForStatus(planned.Id, MessageStatus.Sent);
        var events = await Db.QueryAsync<string>($"select event from message_events where message_id = {planned.Id} order by id");
        Assert.Multiple(() =>
        {
            Assert.That(_secondary.Calls, Is.Empty, "a second provider would have sent a second copy for certain");
            Assert.That(sent.Provider, Is.EqualTo("primary"));
            Assert.That(_primary.Calls, Has.Count.EqualTo(2), "the failed attempt, then the retry");
            Assert.That(events, Does.Contain("possibly_sent"));
            Assert.That(events, Does.Not.Contain("failover"));
        });
    }

    [Test]
    public async Task FaultThatIsNoProviderFailure_AfterSending_EndsInARecordedFailure()
    {
        await StartAsync(new() { ["FollowUp:Retry:Attempts"] = "1" });
        _primary.Then(_ => throw new InvalidOperationException("a bug after the sending mark (test)"));

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");

        var failed = await WaitForStatus(planned.Id, MessageStatus.DeadLettered);
        Assert.Multiple(() =>
        {
            Assert.That(failed.Error, Does.Contain("a bug after the sending mark (test)"));
            Assert.That(_secondary.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task RecordingSentFailsOnce_IsRetried_TheProviderIsCalledOnce()
    {
        await StartAsync();
        // The first write of "sent" fails as a dropped connection would; a sequence is not rolled back.
        await Db.ExecuteAsync("""
            create sequence sent_blips;
            create function blip_sent() returns trigger language plpgsql as $$
            begin
                if new.status = 'sent' and nextval('sent_blips') = 1 then raise exception 'connection blip (test)'; end if;
                return new;
            end $$;
            create trigger blip_sent before update on messages for each row execute function blip_sent();
            """);

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");

        var sent = await WaitForStatus(planned.Id, MessageStatus.Sent);
        Assert.Multiple(async () =>
        {
            Assert.That(_primary.Calls, Has.Count.EqualTo(1), "sending again would deliver a second copy");
            Assert.That(sent.ProviderMessageId, Does.StartWith("primary-"));
            Assert.That(await Db.ScalarAsync<long>("select nextval('sent_blips')"), Is.GreaterThan(2), "the blip happened");
        });
    }
}
