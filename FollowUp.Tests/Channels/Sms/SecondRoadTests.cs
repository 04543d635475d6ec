using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Signing;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Channels.Sms;

/// <summary>
/// The second road for SMS: the webhook route (a local receiver at its wire: signed POSTs, the idempotency
/// key, delivery reports back) and failover from Twilio (faked at its wire) through its circuit breaker
/// when Twilio answers 503 or hangs.
/// </summary>
[NonParallelizable]
public sealed class SecondRoadTests
{
    private const string RouteSecret = "route-secret-0123456789";

    private FakeTwilioServer _twilio = null!;
    private FakeWebhookReceiver _route = null!;
    private TestDatabase _db = null!;
    private ApiHost _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        _route = await FakeWebhookReceiver.StartAsync();
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
        await _route.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private async Task StartAsync(bool withTwilio, Dictionary<string, string?>? extra = null)
    {
        var settings = withTwilio ? TwilioTestAccount.Settings(_twilio) : new Dictionary<string, string?>();
        settings["FollowUp:Sms:Webhook:Url"] = _route.Url.ToString();
        settings["FollowUp:Sms:Webhook:Secret"] = RouteSecret;
        // Only configured providers may be named (start-up refuses an order naming an unconfigured one).
        if (withTwilio)
        {
            settings["FollowUp:Sms:Providers:0"] = "twilio";
            settings["FollowUp:Sms:Providers:1"] = "webhook";
        }
        else
        {
            settings["FollowUp:Sms:Providers:0"] = "webhook";
        }
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        _api = ApiHost.Start(_db, settings);
        await TestClients.CreateAsync(_api.Services);
    }

    private async Task<HttpResponseMessage> ReportAsync(object report, string secret = RouteSecret)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(report);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/route/status") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(CallSignature.Header, CallSignature.Compute(secret, SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds(), body));
        using var anonymous = _api.Factory.CreateClient();
        return await anonymous.SendAsync(request);
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

    [Test]
    public async Task Route_SignedPostWithTheMessageIdAsIdempotencyKey_ReportMovesTheMessage_ForgedOr422ReportChangesNothing()
    {
        await StartAsync(withTwilio: false);

        var id = await _api.PostSmsAsync("+12125550123", "Your appointment is confirmed.");
        var sent = await _api.WaitForStatusAsync(id, "sent");
        var post = _route.Requests.Single();
        using var json = JsonDocument.Parse(post.Body);
        var forged = await ReportAsync(new { message_id = id, status = "delivered" }, secret: "not-the-route-secret-at-all");
        var invalid = await ReportAsync(new { message_id = id, status = "read-by-a-cat" });
        var statusAfterRefusals = (await _api.WaitForStatusAsync(id, "sent")).GetProperty("status").GetString();
        var report = await ReportAsync(new { message_id = id, status = "delivered" });
        var delivered = await _api.WaitForStatusAsync(id, "delivered");

        Assert.Multiple(async () =>
        {
            Assert.That(CallSignature.Verify(RouteSecret, post.Header(CallSignature.Header), Encoding.UTF8.GetBytes(post.Body), SystemClock.Instance.GetCurrentInstant()),
                Is.EqualTo(SignatureCheck.Valid), "the receiver can verify who sent it");
            Assert.That(post.Header("Idempotency-Key"), Is.EqualTo(id.ToString(CultureInfo.InvariantCulture)));
            Assert.That(json.RootElement.GetProperty("message_id").GetInt64(), Is.EqualTo(id));
            Assert.That(json.RootElement.GetProperty("client_id").GetString(), Is.EqualTo("acme-dental"));
            Assert.That(json.RootElement.GetProperty("to").GetString(), Is.EqualTo("+12125550123"));
            Assert.That(json.RootElement.GetProperty("from").GetString(), Is.EqualTo("+12125550100"));
            Assert.That(json.RootElement.GetProperty("body").GetString(), Is.EqualTo("Your appointment is confirmed."));
            Assert.That(json.RootElement.GetProperty("kind").GetString(), Is.EqualTo("adhoc"));
            Assert.That(json.RootElement.GetProperty("segments").GetInt32(), Is.EqualTo(1));
            Assert.That(sent.GetProperty("provider").GetString(), Is.EqualTo("webhook"));
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(await invalid.Content.ReadAsStringAsync(), Does.Contain("status"));
            Assert.That(statusAfterRefusals, Is.EqualTo("sent"), "refused reports changed nothing");
            Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(delivered.GetProperty("status").GetString(), Is.EqualTo("delivered"));
        });
    }

    [Test]
    public async Task ClientsOwnProviderOrder_WebhookOnly_SendsThroughTheRoute_WhileOthersUseTheGlobalOrder()
    {
        await StartAsync(withTwilio: true);
        await TestClients.CreateAsync(_api.Services, "route-dental", TestClients.Acme() with { SmsProviders = ["webhook"] });

        var routed = await _api.Services.GetRequiredService<IMessageClient>().SendSmsAsync("route-dental", "+12125550123", "Via our CRM.");
        var global = await _api.PostSmsAsync("+12125550124", "Via Twilio.");
        var routedSent = await _api.WaitForStatusAsync(routed.Id, "sent");
        var globalSent = await _api.WaitForStatusAsync(global, "sent");

        Assert.Multiple(() =>
        {
            Assert.That(routedSent.GetProperty("provider").GetString(), Is.EqualTo("webhook"), "the client's own order");
            Assert.That(globalSent.GetProperty("provider").GetString(), Is.EqualTo("twilio"), "the global order: twilio first");
            Assert.That(_twilio.Requests.Select(r => r.Form["Body"].ToString()), Is.EqualTo(new[] { "Via Twilio." }));
            Assert.That(_route.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task OnlyOneRoad_ItsBreakerNeverSkipsIt_ASendAfterAFailureBurstGoesOut()
    {
        var settings = TwilioTestAccount.Settings(_twilio);
        settings["FollowUp:Providers:Breaker:FailureThreshold"] = "2";
        settings["FollowUp:Providers:Breaker:BreakSeconds"] = "600";
        _api = ApiHost.Start(_db, settings);
        await TestClients.CreateAsync(_api.Services);
        for (var i = 0; i < 3; i++)
        {
            _twilio.Then(FakeTwilioReply.TooManyRequests());
        }

        // Three 429s in a row (more than the threshold): the message's three attempts, then its dead letter.
        var early = await _api.PostSmsAsync("+12125550123", "During the burst.");
        await _api.WaitForStatusAsync(early, "dead_lettered");
        var after = await _api.PostSmsAsync("+12125550124", "After the burst.");
        await _api.WaitForStatusAsync(after, "sent");

        var events = await _db.QueryAsync<string>("select coalesce(detail, '') from message_events where message_id = @after", new { after });
        Assert.Multiple(() =>
        {
            Assert.That(events, Has.None.Contains("circuit breaker is open"), "the only road is tried, breaker or not");
            Assert.That(_twilio.Requests, Has.Count.EqualTo(4), "three for the burst, one that sent");
            Assert.That(_api.Services.GetRequiredService<ProviderBreakers>().States(), Is.Empty, "a channel's last road runs outside its breaker");
        });
    }

    [Test]
    public async Task Route_AnswersWithItsOwnId_ReportByThatId_Applies()
    {
        await StartAsync(withTwilio: false);
        _route.AnswerJson = n => $"{{\"provider_message_id\":\"ghl-{n}\"}}";

        var id = await _api.PostSmsAsync("+12125550123", "Hi");
        var sent = await _api.WaitForStatusAsync(id, "sent");
        var report = await ReportAsync(new { provider_message_id = "ghl-1", status = "undelivered", error = "carrier rejected" });
        var after = await _api.WaitForStatusAsync(id, "undelivered");

        Assert.Multiple(() =>
        {
            Assert.That(sent.GetProperty("provider_message_id").GetString(), Is.EqualTo("ghl-1"));
            Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(after.GetProperty("error").GetString(), Does.Contain("carrier rejected"));
        });
    }

    [Test]
    public async Task Route_500ThenOk_TheRetrySendsWithTheSameIdempotencyKey()
    {
        await StartAsync(withTwilio: false);
        _route.Then(500);

        var id = await _api.PostSmsAsync("+12125550123", "Hi");
        await _api.WaitForStatusAsync(id, "sent");

        Assert.Multiple(() =>
        {
            Assert.That(_route.Requests, Has.Count.EqualTo(2), "a 500 may have been sent: retried, not failed over");
            Assert.That(_route.Requests.Select(r => r.Header("Idempotency-Key")).Distinct().Single(), Is.EqualTo(id.ToString(CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task TwilioOutage503_200SmsDue_EachReachesTheRouteOnce_NoneDeadLettered_BreakerOpens_ThenTwilioAgainAfterTheProbe()
    {
        await StartAsync(withTwilio: true, new()
        {
            ["FollowUp:Providers:Breaker:FailureThreshold"] = "5",
            ["FollowUp:Providers:Breaker:SamplingSeconds"] = "30",
            ["FollowUp:Providers:Breaker:BreakSeconds"] = "3",
        });
        _twilio.Otherwise = FakeTwilioReply.Error(503, 20503, "Service Unavailable");

        var ids = await PlanDueAsync(200);
        // The overview's "n sends rerouted" counts since the breaker last opened, and a failed probe opens it again
        // (from 0): the most it showed while the outage lasted is what the overview said, whenever it was read.
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
        var byRoute = _route.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("message_id").GetInt64()).ToList();
        var providers = await _db.QueryAsync<string>("select distinct provider from messages where id = any(@ids)", new { ids = ids.ToArray() });
        var deadLettered = await _db.ScalarAsync<long>("select count(*) from messages where status = 'dead_lettered'");

        // Twilio recovers: after the break, one probe goes to it and succeeds, and sends go back to Twilio.
        _twilio.Otherwise = FakeTwilioReply.Created();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var after = await _api.PostSmsAsync("+12125550123", "Back to normal.");
        var afterSent = await _api.WaitForStatusAsync(after, "sent");

        TestContext.Out.WriteLine($"twilio requests during the outage: {twilioDuringOutage}; breaker then: {breaker}");
        Assert.Multiple(() =>
        {
            Assert.That(byRoute, Has.Count.EqualTo(200), "each once through the route");
            Assert.That(byRoute.Distinct().Count(), Is.EqualTo(200));
            Assert.That(providers, Is.EqualTo(new[] { "webhook" }), "the message shows the provider that sent it");
            Assert.That(deadLettered, Is.Zero);
            Assert.That(twilioDuringOutage, Is.LessThan(200), "the open breaker skipped Twilio");
            Assert.That(breaker.State, Is.Not.EqualTo("closed"));
            Assert.That(Math.Max(mostRerouted, breaker.Rerouted), Is.GreaterThan(0), "the overview showed sends rerouted while Twilio was down");
            Assert.That(afterSent.GetProperty("provider").GetString(), Is.EqualTo("twilio"));
        });
    }

    [Test]
    public async Task TwilioHangsPastItsTimeout_NoSecondCopyInTheSameAttempt_EachReachesTheRouteOnce()
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

        var byRoute = _route.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("message_id").GetInt64()).ToList();
        var timedOutThenFailedOver = await _db.ScalarAsync<long>(
            "select count(*) from message_events where event = 'failover' and provider = 'twilio' and detail like '%did not answer%'");
        var deadLettered = await _db.ScalarAsync<long>("select count(*) from messages where status = 'dead_lettered'");
        Assert.Multiple(() =>
        {
            Assert.That(byRoute, Has.Count.EqualTo(20));
            Assert.That(byRoute.Distinct().Count(), Is.EqualTo(20), "each exactly once");
            Assert.That(timedOutThenFailedOver, Is.Zero, "a timeout after the request went out ends the attempt: never a second provider's copy in it");
            Assert.That(deadLettered, Is.Zero);
            Assert.That(ids.Sum(id => _twilio.StoredFor($"+1212555{2000 + ids.ToList().IndexOf(id)}", $"Reminder {ids.ToList().IndexOf(id)}: see you at 3.")), Is.Zero);
        });
    }
}
