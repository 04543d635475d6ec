using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Messages;

public sealed class ProviderOrderAndRateLimitTests : EngineTest
{
    protected override bool StartsEngineInSetUp => false;

    [Test]
    public async Task ProvidersSetting_ChangesTheFailoverOrder()
    {
        var first = new ScriptedSmsProvider("first");
        var second = new ScriptedSmsProvider("second");
        await StartEngineAsync(new() { ["FollowUp:Sms:Providers:0"] = "second" }, s =>
        {
            s.AddSingleton<ISmsProvider>(first);
            s.AddSingleton<ISmsProvider>(second);
        });

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");
        var sent = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent);

        Assert.Multiple(() =>
        {
            Assert.That(sent.Provider, Is.EqualTo("second"));
            Assert.That(first.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task RateLimit_SpreadsSendsOverTime_WithoutSpendingAttempts()
    {
        var provider = new ScriptedSmsProvider("limited");
        var times = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        provider.Otherwise = r =>
        {
            times.Enqueue(DateTimeOffset.UtcNow);
            return new FollowUp.Jobs.Channels.ProviderReceipt("limited", Guid.NewGuid().ToString("N"), "queued", 1);
        };
        await StartEngineAsync(new() { ["FollowUp:Limited:RateLimitPerSecond"] = "2" },
            s => s.AddSingleton<ISmsProvider>(provider));

        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await Messages.SendSmsAsync("acme-dental", $"+1212555012{i}", "Hi")).Id);
        }

        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from messages where status = 'sent'"), n => n == 6, what: "6 sent");
        var spread = times.Max() - times.Min();
        Assert.Multiple(async () =>
        {
            // 2 tokens at once, then 2 a second: the sixth cannot go before two more refills (a lower bound only).
            Assert.That(spread.TotalSeconds, Is.GreaterThanOrEqualTo(1.5));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from message_events where event = 'attempt_failed'"), Is.Zero, "waiting spent no attempt");
            foreach (var id in ids)
            {
                var jobId = (await Messages.FindAsync(id))!.JobId!.Value;
                Assert.That(Engine.History(jobId).Select(h => h.StateName), Is.EqualTo(new[] { "Enqueued", "Processing", "Succeeded" }),
                    "one attempt each, no retry");
            }
        });
    }

    [Test]
    public async Task Failover_RecordsThePassedOverProviderInItsOwnColumn()
    {
        var first = new ScriptedSmsProvider("first").ThenFail(SendFailureKind.Transient, "503");
        var second = new ScriptedSmsProvider("second");
        await StartEngineAsync(services: s =>
        {
            s.AddSingleton<ISmsProvider>(first);
            s.AddSingleton<ISmsProvider>(second);
        });

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");
        var sent = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent);

        Assert.Multiple(async () =>
        {
            Assert.That(sent.Provider, Is.EqualTo("second"));
            // The dashboard's provider health and the failover alert group by this column.
            Assert.That(await Db.ScalarAsync<string>("select provider || ' | ' || detail from message_events where event = 'failover'"),
                Is.EqualTo("first | first: first refused (503)"));
        });
    }
}
