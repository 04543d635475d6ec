using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>
/// #11's safety cases for provider webhooks, over HTTP with a fake Twilio at its wire: STOP through a
/// Messaging Service, a status callback that beats the send's answer, the provider-webhook limit, the
/// bounce lookup's index, one-line subjects.
/// </summary>
public sealed class ProviderSafetyTests : ApiTest
{
    private const string AccountSid = TwilioTestAccount.AccountSid;
    private const string ServiceSid = "MG0123456789abcdef0123456789abcdef";

    private FakeTwilioServer _twilio = null!;

    protected override bool StartsApiInSetUp => false;

    // Some tests' client has no number of its own: StartAsync creates it.
    protected override bool CreatesTestClients => false;

    [SetUp]
    public async Task SetUp() => _twilio = await FakeTwilioServer.StartAsync();

    [TearDown]
    public async Task TearDown() => await _twilio.DisposeAsync();

    private async Task StartAsync(Dictionary<string, string?>? extra = null, bool clientHasOwnNumber = true)
    {
        var settings = TwilioTestAccount.Settings(_twilio);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        await StartApiAsync(settings);
        await TestClients.CreateAsync(Api.Services, settings: clientHasOwnNumber ? null : TestClients.Acme(c => c with { SmsFrom = null }));
    }

    private Task<long> PostMessageAsync(string body) => Api.PostSmsAsync("+12125550123", body);

    private Task<JsonElement> WaitForStatus(long id, string status) => Api.WaitForStatusAsync(id, status);

    private Task<HttpResponseMessage> PostSignedAsync(string path, Dictionary<string, string> form) => Api.PostSignedAsync(path, form);

    [Test]
    public async Task InboundStop_ThroughOurMessagingService_SuppressesTheClientsOnTheDefaultSender()
    {
        await StartAsync(new() { ["FollowUp:Twilio:From"] = null, ["FollowUp:Twilio:MessagingServiceSid"] = ServiceSid }, clientHasOwnNumber: false);

        // The reply goes to whichever pool number Twilio picked, which no client names.
        var stop = await PostSignedAsync("/webhooks/twilio/inbound", new()
        {
            ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = AccountSid, ["MessagingServiceSid"] = ServiceSid,
            ["From"] = "+12125550123", ["To"] = "+12125550190", ["Body"] = "STOP", ["NumMedia"] = "0",
        });
        var next = await PostMessageAsync("Reminder");
        var skipped = await WaitForStatus(next, "skipped");

        Assert.Multiple(async () =>
        {
            Assert.That(stop.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(skipped.GetProperty("skip_reason").GetString(), Is.EqualTo("opted out"));
            Assert.That(await Db.ScalarAsync<string>("select array_to_string(client_ids, ',') from inbound_sms"), Is.EqualTo("acme-dental"));
            Assert.That(_twilio.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task StatusCallback_BeforeTheSendStoredTheSid_IsAppliedWhenItIs()
    {
        await StartAsync();
        var answer = new TaskCompletionSource();
        const string sid = "SM00000000000000000000000000000042";
        _twilio.Then(new FakeTwilioReply { Sid = sid, Gate = answer.Task });

        var id = await PostMessageAsync("Your appointment is confirmed.");
        await Eventually.WaitForAsync(() => Task.FromResult(_twilio.Requests.Count), n => n == 1, what: "Twilio to have the message");
        var early = await PostSignedAsync("/webhooks/twilio/status", new()
        {
            ["MessageSid"] = sid, ["AccountSid"] = AccountSid, ["MessageStatus"] = "delivered", ["To"] = "+12125550123",
            ["From"] = "+12125550100", ["ApiVersion"] = "2010-04-01",
        });
        answer.SetResult();
        var delivered = await WaitForStatus(id, "delivered");

        Assert.Multiple(async () =>
        {
            Assert.That(early.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(delivered.GetProperty("provider_message_id").GetString(), Is.EqualTo(sid));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from parked_deliveries"), Is.Zero, "applied once, then gone");
        });
    }

    [Test]
    public async Task ProviderWebhooks_BeyondTheNodesLimit_503WithRetryAfter()
    {
        await StartAsync(new() { ["FollowUp:Webhooks:MaxConcurrent"] = "1", ["FollowUp:Webhooks:MaxQueued"] = "0", ["FollowUp:Webhooks:RetryAfterSeconds"] = "5" });
        await Db.ExecuteAsync("""
            create function slow_inbound() returns trigger language plpgsql as $$ begin perform pg_sleep(2); return new; end $$;
            create trigger slow_inbound before insert on inbound_sms for each row execute function slow_inbound();
            """);
        Dictionary<string, string> Inbound(string body) => new()
        {
            ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = AccountSid, ["From"] = "+12125550123",
            ["To"] = "+12125550100", ["Body"] = body, ["NumMedia"] = "0",
        };

        var first = PostSignedAsync("/webhooks/twilio/inbound", Inbound("HELP"));
        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from pg_stat_activity where wait_event = 'PgSleep'"),
            n => n >= 1, what: "the first inbound SMS to be processing");
        var second = await PostSignedAsync("/webhooks/twilio/inbound", Inbound("HELP again"));

        Assert.Multiple(async () =>
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(second.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That((await first).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task BounceLookup_ByAddressInAnyCase_IsServedByAnIndex()
    {
        await StartAsync();

        var plan = await Db.QueryAsync<string>("""
            set enable_seqscan = off;
            explain select distinct client_id from messages where channel = 'email' and lower(recipient) = 'ana@example.com';
            """);

        Assert.That(string.Join("\n", plan), Does.Contain("messages_recipient_lower"));
    }

    [Test]
    public async Task ApiEmail_SubjectWithLineBreak_Is422()
    {
        await StartAsync();

        var response = await Api.Client.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent(
            """{ "client_id": "acme-dental", "channel": "email", "to": "ana@example.com", "subject": "Hi\r\nBcc: x@example.com", "body": "b" }""",
            Encoding.UTF8, "application/json"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("no CR or LF"));
        });
    }
}
