using System.Diagnostics;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Messages;

/// <summary>
/// A node killed with SIGKILL while it has SMS in flight at Twilio (accepted there, the answers not yet
/// stored): another node settles every message without losing one or sending one twice, with the
/// product's default invisibility timeout. Real processes, Twilio faked at its wire.
/// </summary>
[NonParallelizable]
public sealed class NodeDeathTests
{
    private const int Count = 200;

    [Test]
    public async Task Kill9With200SmsInFlight_NoneLost_NoneSentTwice_TheInFlightOnesAdoptedFromTwilio()
    {
        await using var twilio = await FakeTwilioServer.StartAsync();
        await using var db = await TestDatabase.CreateAsync();
        var settings = TwilioTestAccount.Settings(twilio).ToDictionary(kv => kv.Key, kv => kv.Value!);
        settings["FollowUp:Engine:WorkerCount"] = "20";
        // The product's own default, not a test's shortcut: the figure below is what an operator gets.
        settings.Remove("FollowUp:Engine:InvisibilityTimeoutSeconds");
        await using var producer = await EngineHost.StartAsync(db, new(TwilioTestAccount.Settings(twilio)) { ["FollowUp:Engine:RunServer"] = "false" });
        await TestClients.CreateAsync(producer.Services);
        var now = SystemClock.Instance.GetCurrentInstant();
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            var batch = Enumerable.Range(0, Count).Select(i =>
                new NewMessage("acme-dental", MessageKind.AdHoc, Channel.Sms, $"+1212555{1000 + i}", null, $"Reminder {i}: see you tomorrow.", now)).ToList();
            await producer.Services.GetRequiredService<IMessageClient>().PlanManyAsync(batch, tx);
            await tx.CommitAsync();
        }

        // Twilio stores each message at once and answers after 5 s: the node dies with 20 accepted, unanswered.
        twilio.Otherwise = FakeTwilioReply.Slow(TimeSpan.FromSeconds(5));
        var doomed = NodeProcess.Start("worker", db.ConnectionString, settings);
        await Eventually.WaitForAsync(() => Task.FromResult(twilio.Requests.Count), n => n >= 20, TimeSpan.FromSeconds(90), "20 sends in flight at Twilio");
        doomed.Kill9();
        var killed = Stopwatch.StartNew();
        var inFlight = await db.QueryAsync<long>("select id from messages where status = 'sending'");
        twilio.Otherwise = FakeTwilioReply.Created();

        await using var survivor = NodeProcess.Start("worker", db.ConnectionString, settings);
        await Eventually.WaitForAsync(() => db.ScalarAsync<long>("select count(*) from messages where id = any(@inFlight) and status = 'sent'", new { inFlight }),
            n => n == inFlight.Count, TimeSpan.FromSeconds(300), "the in-flight messages to settle");
        var inFlightSettled = killed.Elapsed;
        await Eventually.WaitForAsync(() => db.ScalarAsync<long>("select count(*) from messages where status = 'sent'"),
            n => n == Count, TimeSpan.FromSeconds(300), "every message to be sent");
        var allSettled = killed.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(2)); // a duplicate, if any, would be in by now

        var copies = Enumerable.Range(0, Count).Select(i => twilio.StoredFor($"+1212555{1000 + i}", $"Reminder {i}: see you tomorrow.")).ToList();
        var adopted = await db.ScalarAsync<long>("select count(*) from message_events where event = 'sent' and detail like '%found at the provider%'");
        TestContext.Out.WriteLine(
            $"kill -9 with {Count} planned, {inFlight.Count} in flight at Twilio: in-flight settled {inFlightSettled.TotalSeconds:F1} s after the kill, "
            + $"all settled {allSettled.TotalSeconds:F1} s; adopted from Twilio's list: {adopted}; sent twice: {copies.Count(c => c > 1)}; lost: {copies.Count(c => c == 0)}");
        Assert.Multiple(() =>
        {
            Assert.That(inFlight, Has.Count.EqualTo(20), "each of the dead node's workers was mid-send");
            Assert.That(copies.Count(c => c == 0), Is.Zero, "none lost");
            Assert.That(copies.Count(c => c > 1), Is.Zero, "none sent twice");
            Assert.That(adopted, Is.EqualTo(inFlight.Count), "each in-flight one was found at Twilio, not sent again");
        });
    }
}
