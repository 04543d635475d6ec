using System.Net;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Channels.Sms;

/// <summary>
/// Vonage as the second carrier, through the whole app against Twilio's and Vonage's fakes at their wire:
/// its sends, its signed delivery receipts, and a Twilio outage (503, then a hang) with Vonage as the second road.
/// </summary>
[NonParallelizable]
public sealed class SecondCarrierTests
{
    private const string ReceiptPath = "/webhooks/vonage/status";

    private FakeTwilioServer _twilio = null!;
    private FakeVonageServer _vonage = null!;
    private TestDatabase _db = null!;
    private ApiHost _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        _vonage = await FakeVonageServer.StartAsync();
        _db = await TestDatabase.CreateAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_api != null)
        {
            await _api.DisposeAsync();
        }

        await _db.DisposeAsync();
        await _vonage.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private async Task StartAsync(bool withTwilio, Dictionary<string, string?>? extra = null)
    {
        var settings = withTwilio ? TwilioTestAccount.Settings(_twilio) : new Dictionary<string, string?> { ["FollowUp:PublicBaseUrl"] = TwilioTestAccount.PublicBase };
        foreach (var (key, value) in _vonage.Settings())
        {
            settings[key] = value;
        }

        // Only configured providers may be named (start-up refuses an order naming an unconfigured one).
        if (withTwilio)
        {
            settings["FollowUp:Sms:Providers:0"] = "twilio";
            settings["FollowUp:Sms:Providers:1"] = "vonage";
        }
        else
        {
            settings["FollowUp:Sms:Providers:0"] = "vonage";
        }
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        _api = ApiHost.Start(_db, settings);
        await TestClients.CreateAsync(_api.Services);
    }

    private async Task<HttpResponseMessage> ReceiptAsync(IReadOnlyDictionary<string, string> receipt,
        FakeVonageServer.ReceiptFormat format = FakeVonageServer.ReceiptFormat.Form)
    {
        using var anonymous = _api.Factory.CreateClient();
        return await FakeVonageServer.PostReceiptAsync(anonymous, ReceiptPath, receipt, format);
    }

    private async Task<IReadOnlyList<long>> PlanDueAsync(int count)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var planned = await _api.Services.GetRequiredService<IMessageClient>().PlanManyAsync(Enumerable.Range(0, count).Select(i =>
            new NewMessage("acme-dental", MessageKind.Reminder1h, Channel.Sms, $"+1212555{2000 + i}", null, $"Reminder {i}: see you at 3.", now)).ToList(), tx);
        await tx.CommitAsync();
        return planned.Ids;
    }

    private async Task<long> EventCountAsync(long id, string eventName) =>
        await _db.ScalarAsync<long>("select count(*) from message_events where message_id = @id and event = @eventName", new { id, eventName });

    [Test]
    public async Task Vonage_Sends_SignedReceiptMovesTheMessage_ForgedStaleOrMalformedChangeNothing()
    {
        await StartAsync(withTwilio: false);

        var id = await _api.PostSmsAsync("+12125550123", "Your appointment is confirmed.");
        var sent = await _api.WaitForStatusAsync(id, "sent");
        var request = _vonage.Requests.Single();
        var forged = await ReceiptAsync(FakeVonageServer.Receipt(request, "delivered", secret: "someone-elses-signature-secret"));
        var stale = await ReceiptAsync(FakeVonageServer.Receipt(request, "delivered", at: SystemClock.Instance.GetCurrentInstant() - Duration.FromMinutes(10)));
        var unsigned = FakeVonageServer.Receipt(request, "delivered");
        unsigned.Remove("sig");
        var missing = await ReceiptAsync(unsigned);
        var tampered = FakeVonageServer.Receipt(request, "failed");
        tampered["status"] = "delivered";
        var altered = await ReceiptAsync(tampered);
        var malformed = await ReceiptAsync(FakeVonageServer.Receipt(request, "read-by-a-cat"));
        var malformedBody = await malformed.Content.ReadAsStringAsync();
        var afterRefusals = await _api.WaitForStatusAsync(id, "sent");
        var eventsAfterRefusals = await _db.ScalarAsync<long>("select count(*) from message_events where message_id = @id and event like 'vonage:%'", new { id });
        var good = await ReceiptAsync(FakeVonageServer.Receipt(request, "delivered"));
        var delivered = await _api.WaitForStatusAsync(id, "delivered");

        Assert.Multiple(() =>
        {
            Assert.That(sent.GetProperty("provider").GetString(), Is.EqualTo("vonage"), "the message shows the provider that sent it");
            Assert.That(sent.GetProperty("provider_message_id").GetString(), Is.EqualTo(request.MessageIds.Single()));
            Assert.That(request.Field("client-ref"), Is.EqualTo(id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(request.Field("from"), Is.EqualTo("12125550100"), "the client's own sms_from");
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a captured receipt replayed after the window");
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(altered.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a changed status breaks the signature");
            Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(malformedBody, Does.Contain("\"status\""));
            Assert.That(afterRefusals.GetProperty("status").GetString(), Is.EqualTo("sent"), "refused receipts changed nothing");
            Assert.That(eventsAfterRefusals, Is.Zero);
            Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(delivered.GetProperty("status").GetString(), Is.EqualTo("delivered"));
        });
    }

    [Test]
    public async Task VonageReceipts_AsGetQueryAndAsJson_Verified_FailedBecomesUndeliveredWithTheErrCode()
    {
        await StartAsync(withTwilio: false);

        var first = await _api.PostSmsAsync("+12125550123", "One.");
        var second = await _api.PostSmsAsync("+12125550124", "Two.");
        await _api.WaitForStatusAsync(first, "sent");
        await _api.WaitForStatusAsync(second, "sent");
        var requests = _vonage.Requests.ToDictionary(r => long.Parse(r.Field("client-ref"), System.Globalization.CultureInfo.InvariantCulture));
        var byQuery = await ReceiptAsync(FakeVonageServer.Receipt(requests[first], "delivered"), FakeVonageServer.ReceiptFormat.Query);
        var forgedJson = await ReceiptAsync(FakeVonageServer.Receipt(requests[second], "rejected", "6", secret: "someone-elses-signature-secret"),
            FakeVonageServer.ReceiptFormat.Json);
        var byJson = await ReceiptAsync(FakeVonageServer.Receipt(requests[second], "rejected", "6"), FakeVonageServer.ReceiptFormat.Json);
        var delivered = await _api.WaitForStatusAsync(first, "delivered");
        var undelivered = await _api.WaitForStatusAsync(second, "undelivered");

        Assert.Multiple(() =>
        {
            Assert.That(byQuery.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(forgedJson.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(byJson.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(delivered.GetProperty("status").GetString(), Is.EqualTo("delivered"));
            Assert.That(undelivered.GetProperty("error").GetString(), Does.Contain("rejected").And.Contain("err-code 6"));
        });
    }

    [Test]
    public async Task VonageReceipt_WithoutTheSignatureSecretConfigured_Refused()
    {
        await StartAsync(withTwilio: false, new() { ["FollowUp:Sms:Vonage:SignatureSecret"] = "" });

        var id = await _api.PostSmsAsync("+12125550123", "Hi.");
        await _api.WaitForStatusAsync(id, "sent");
        var response = await ReceiptAsync(FakeVonageServer.Receipt(_vonage.Requests.Single(), "delivered"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await _api.WaitForStatusAsync(id, "sent")).GetProperty("status").GetString(), Is.EqualTo("sent"));
        });
    }

    [Test]
    public async Task Vonage_Throttled_FailsOverToTwilioInTheSameAttempt()
    {
        await StartAsync(withTwilio: true, new() { ["FollowUp:Sms:Providers:0"] = "vonage", ["FollowUp:Sms:Providers:1"] = "twilio" });
        _vonage.Then(FakeVonageReply.Refused("1", "Throughput Rate Exceeded - please wait [ 30 ] and retry"));

        var id = await _api.PostSmsAsync("+12125550123", "Hi.");
        var sent = await _api.WaitForStatusAsync(id, "sent");

        Assert.Multiple(async () =>
        {
            Assert.That(sent.GetProperty("provider").GetString(), Is.EqualTo("twilio"));
            Assert.That(_vonage.Queued, Is.Empty);
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1));
            Assert.That(await EventCountAsync(id, "failover"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Vonage_NumberBarred_PermanentAtOnce_NoOtherProviderTried()
    {
        await StartAsync(withTwilio: true, new() { ["FollowUp:Sms:Providers:0"] = "vonage", ["FollowUp:Sms:Providers:1"] = "twilio" });
        _vonage.Then(FakeVonageReply.Refused("7", "Number barred."));

        var id = await _api.PostSmsAsync("+12125550123", "Hi.");
        var dead = await _api.WaitForStatusAsync(id, "dead_lettered");

        Assert.Multiple(() =>
        {
            Assert.That(_vonage.Requests, Has.Count.EqualTo(1), "no retry");
            Assert.That(_twilio.Requests, Is.Empty, "a recipient error never fails over");
            Assert.That(dead.GetProperty("error").GetString(), Does.Contain("status 7"));
        });
    }

    [Test]
    public async Task TwilioOutage503_200SmsDue_EachReachesVonageOnce_NoneDeadLettered_ThenTwilioAgainAfterTheProbe()
    {
        await StartAsync(withTwilio: true, new()
        {
            ["FollowUp:Providers:Breaker:FailureThreshold"] = "5",
            ["FollowUp:Providers:Breaker:SamplingSeconds"] = "30",
            ["FollowUp:Providers:Breaker:BreakSeconds"] = "3",
        });
        _twilio.Otherwise = FakeTwilioReply.Error(503, 20503, "Service Unavailable");

        var ids = await PlanDueAsync(200);
        // "n sends rerouted" counts since the breaker last opened (a failed probe opens it again, from 0): the
        // most it showed during the outage is what the overview said.
        var breakers = _api.Services.GetRequiredService<ProviderBreakers>();
        var mostRerouted = 0L;
        await Eventually.WaitForAsync(async () =>
            {
                mostRerouted = Math.Max(mostRerouted, breakers.States().SingleOrDefault(b => b.Provider == "twilio")?.Rerouted ?? 0);
                return await _db.ScalarAsync<long>("select count(*) from messages where id = any(@ids) and status = 'sent'", new { ids = ids.ToArray() });
            },
            n => n == 200, TimeSpan.FromSeconds(180), "all 200 to be sent");
        var twilioDuringOutage = _twilio.Requests.Count;
        var breaker = breakers.States().Single(b => b.Provider == "twilio");
        var byVonage = _vonage.Queued.Select(r => r.Field("client-ref")).ToList();
        var providers = await _db.QueryAsync<string>("select distinct provider from messages where id = any(@ids)", new { ids = ids.ToArray() });
        var deadLettered = await _db.ScalarAsync<long>("select count(*) from messages where status = 'dead_lettered'");

        _twilio.Otherwise = FakeTwilioReply.Created();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var after = await _api.PostSmsAsync("+12125550123", "Back to normal.");
        var afterSent = await _api.WaitForStatusAsync(after, "sent");

        TestContext.Out.WriteLine($"twilio requests during the outage: {twilioDuringOutage}; breaker then: {breaker}");
        Assert.Multiple(() =>
        {
            Assert.That(byVonage, Has.Count.EqualTo(200), "each reached a customer once, through Vonage");
            Assert.That(byVonage.Distinct().Order(), Is.EqualTo(ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order()));
            Assert.That(_twilio.StoredFor("+12125552000", "Reminder 0: see you at 3."), Is.Zero, "Twilio took nothing in");
            Assert.That(providers, Is.EqualTo(new[] { "vonage" }), "the message shows the provider that sent it");
            Assert.That(deadLettered, Is.Zero);
            Assert.That(twilioDuringOutage, Is.LessThan(200), "the open breaker skipped Twilio");
            Assert.That(Math.Max(mostRerouted, breaker.Rerouted), Is.GreaterThan(0), "the overview showed sends rerouted while Twilio was down");
            Assert.That(afterSent.GetProperty("provider").GetString(), Is.EqualTo("twilio"), "after the probe, Twilio again");
        });
    }

    [Test]
    public async Task TwilioHangsPastItsTimeout_NoSecondCopyInTheSameAttempt_EachReachesVonageOnce()
    {
        await StartAsync(withTwilio: true, new()
        {
            ["FollowUp:Twilio:TimeoutSeconds"] = "1",
            ["FollowUp:Providers:Breaker:FailureThreshold"] = "3",
            ["FollowUp:Providers:Breaker:BreakSeconds"] = "60",
        });
        // Twilio takes nothing in and never answers, its Messages list neither.
        _twilio.Otherwise = new FakeTwilioReply { Status = 503, Delay = TimeSpan.FromSeconds(30) };
        _twilio.ListDelay = TimeSpan.FromSeconds(30);

        var ids = await PlanDueAsync(20);
        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from messages where id = any(@ids) and status = 'sent'", new { ids = ids.ToArray() }),
            n => n == 20, TimeSpan.FromSeconds(180), "all 20 to be sent");

        var byVonage = _vonage.Queued.Select(r => r.Field("client-ref")).ToList();
        var timedOutThenFailedOver = await _db.ScalarAsync<long>(
            "select count(*) from message_events where event = 'failover' and provider = 'twilio' and detail like '%did not answer%'");
        var deadLettered = await _db.ScalarAsync<long>("select count(*) from messages where status = 'dead_lettered'");
        var providers = await _db.QueryAsync<string>("select distinct provider from messages where id = any(@ids)", new { ids = ids.ToArray() });
        Assert.Multiple(() =>
        {
            Assert.That(byVonage, Has.Count.EqualTo(20));
            Assert.That(byVonage.Distinct().Count(), Is.EqualTo(20), "each exactly once");
            Assert.That(timedOutThenFailedOver, Is.Zero, "a timeout after the request went out ends the attempt: never a second provider's copy in it");
            Assert.That(deadLettered, Is.Zero);
            Assert.That(providers, Is.EqualTo(new[] { "vonage" }));
        });
    }

    [Test]
    public async Task VonageTimesOutAfterTheRequestWentOut_NoSecondCopy_TheReceiptArrivesDuringTheWait_SentOnceNothingElseGoesOut()
    {
        await StartAsync(withTwilio: true, new()
        {
            ["FollowUp:Sms:Providers:0"] = "vonage",
            ["FollowUp:Sms:Providers:1"] = "twilio",
            ["FollowUp:Sms:Vonage:TimeoutSeconds"] = "1",
            ["FollowUp:Sms:Vonage:ReceiptWaitSeconds"] = "10",
        });
        // Vonage queues it (the phone gets it) and its answer never comes back in time.
        _vonage.Then(FakeVonageReply.QueuedThenHang(TimeSpan.FromSeconds(30)));

        var id = await _api.PostSmsAsync("+12125550123", "Your appointment is at 3.");
        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from message_events where message_id = @id and event = 'deferred'", new { id }),
            n => n > 0, TimeSpan.FromSeconds(30), "the next attempt to wait for Vonage's receipt");
        var duringTheWait = (Vonage: _vonage.Requests.Count, Twilio: _twilio.Requests.Count);
        var receipt = await ReceiptAsync(FakeVonageServer.Receipt(_vonage.Requests.Single(), "delivered"));
        var delivered = await _api.WaitForStatusAsync(id, "delivered");
        // Past the wait: the deferred attempt ran and found the message sent.
        await Task.Delay(TimeSpan.FromSeconds(12));
        var after = await _api.WaitForStatusAsync(id, "delivered");

        Assert.Multiple(async () =>
        {
            Assert.That(duringTheWait, Is.EqualTo((1, 0)), "the timeout ended the attempt, and the next one waits: no second copy anywhere");
            Assert.That(receipt.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(delivered.GetProperty("provider").GetString(), Is.EqualTo("vonage"));
            Assert.That(delivered.GetProperty("provider_message_id").GetString(), Is.EqualTo(_vonage.Requests[0].MessageIds.Single()));
            Assert.That(_vonage.Requests, Has.Count.EqualTo(1), "sent once");
            Assert.That(_twilio.Requests, Is.Empty, "nothing else went out");
            Assert.That(after.GetProperty("status").GetString(), Is.EqualTo("delivered"));
            Assert.That(await _db.ScalarAsync<long>("select count(*) from dead_letters"), Is.Zero);
        });
    }

    [Test]
    public async Task VonageTimesOutAfterTheRequestWentOut_NoReceiptWithinTheWait_ThenSentAgain()
    {
        await StartAsync(withTwilio: true, new()
        {
            ["FollowUp:Sms:Providers:0"] = "vonage",
            ["FollowUp:Sms:Providers:1"] = "twilio",
            ["FollowUp:Sms:Vonage:TimeoutSeconds"] = "1",
            ["FollowUp:Sms:Vonage:ReceiptWaitSeconds"] = "10",
        });
        // Nothing queued and no answer: the request may have gone out, and no receipt will ever come.
        _vonage.Then(new FakeVonageReply { Delay = TimeSpan.FromSeconds(30), Stored = false });

        var id = await _api.PostSmsAsync("+12125550123", "Your appointment is at 3.");
        await Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select count(*) from message_events where message_id = @id and event = 'deferred'", new { id }),
            n => n > 0, TimeSpan.FromSeconds(30), "the next attempt to wait for Vonage's receipt");
        var duringTheWait = (Vonage: _vonage.Requests.Count, Twilio: _twilio.Requests.Count);
        var sent = await _api.WaitForStatusAsync(id, "sent");
        var waited = await _db.ScalarAsync<string>(
            "select detail from message_events where message_id = @id and event = 'deferred' order by id limit 1", new { id });

        Assert.Multiple(() =>
        {
            Assert.That(duringTheWait, Is.EqualTo((1, 0)));
            Assert.That(waited, Does.Contain("vonage").And.Contain("receipt"));
            Assert.That(sent.GetProperty("provider").GetString(), Is.EqualTo("vonage"), "after the wait, the order again: Vonage first");
            Assert.That(_vonage.Queued, Has.Count.EqualTo(1), "one copy reached the customer");
            Assert.That(_twilio.Requests, Is.Empty);
        });
    }
}
