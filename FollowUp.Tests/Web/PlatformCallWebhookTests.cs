using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Tests.Support;
using NodaTime;

namespace FollowUp.Tests.Web;

/// <summary>Retell AI and Twilio Voice payloads, signed as those platforms sign them, through to planned messages.</summary>
public sealed class PlatformCallWebhookTests : ApiTest
{
    private const string Secret = "whsec_0123456789abcdef";
    private const string AuthToken = "twilio-test-auth-token";
    private const string PublicBase = "https://followup.example";
    private FakeTwilioServer _twilio = null!;

    protected override bool StartsApiInSetUp => false;

    // The test client takes missed calls: the set-up creates it.
    protected override bool CreatesTestClients => false;

    [SetUp]
    public async Task SetUp()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        await StartApiAsync(new()
        {
            ["FollowUp:Twilio:AccountSid"] = "AC00000000000000000000000000000000",
            ["FollowUp:Twilio:AuthToken"] = AuthToken,
            ["FollowUp:Twilio:From"] = "+12125550199",
            ["FollowUp:Twilio:BaseUrl"] = _twilio.BaseUrl.ToString(),
            ["FollowUp:PublicBaseUrl"] = PublicBase,
        });
        await TestClients.CreateAsync(Api.Services, settings: TestClients.Acme(c => c with { MissedCallTextBack = true }));
    }

    [TearDown]
    public async Task TearDown() => await _twilio.DisposeAsync();

    private static string RetellAnalyzed(string callId, string? disconnection = "user_hangup", object? custom = null, string direction = "inbound") =>
        JsonSerializer.Serialize(new
        {
            @event = "call_analyzed",
            call = new
            {
                call_id = callId, agent_id = "agent_1", call_type = "phone_call", direction,
                from_number = "+12125550123", to_number = "+12125550100", call_status = "ended",
                start_timestamp = 1_795_000_000_000L, end_timestamp = 1_795_000_120_000L, disconnection_reason = disconnection,
                call_analysis = new { call_summary = "…", in_voicemail = false, custom_analysis_data = custom },
            },
        });

    private Task<HttpResponseMessage> PostRetell(string json, string secret = Secret)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/retell/acme-dental") { Content = new ByteArrayContent(body) };
        request.Headers.Add(RetellCallEvents.Header, RetellCallEvents.Sign(secret, SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds(), body));
        return Api.Client.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostTwilio(Dictionary<string, string> form, string token = AuthToken)
    {
        const string path = "/webhooks/twilio/voice/acme-dental";
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(token, PublicBase + path, form));
        return Api.Client.SendAsync(request);
    }

    private static Dictionary<string, string> VoiceStatus(string status, string direction = "inbound", string? answeredBy = null, string from = "+12125550123")
    {
        var form = new Dictionary<string, string>
        {
            ["CallSid"] = "CA" + new string('1', 32), ["AccountSid"] = "AC00000000000000000000000000000000", ["From"] = from,
            ["To"] = "+12125550100", ["CallStatus"] = status, ["Direction"] = direction, ["Timestamp"] = "Mon, 30 Nov 2026 07:00:00 +0000",
        };
        if (answeredBy is not null)
        {
            form["AnsweredBy"] = answeredBy;
        }

        return form;
    }

    private Task<List<(string Kind, string Channel, string Recipient)>> Messages() =>
        Db.QueryAsync<(string, string, string)>("select kind, channel, recipient from messages order by id");

    [Test]
    public async Task Retell_CallAnalyzed_Booked_PlansFromCustomAnalysisData()
    {
        var custom = new
        {
            outcome = "booked", appointment_id = "apt_77", appointment_starts_at = CallWebhookTests.InDays(3), service = "Whitening",
            customer_name = "Ana Diaz", customer_email = "ana@example.com",
        };
        var response = await PostRetell(RetellAnalyzed("retell_call_1", custom: custom));
        var call = await Db.QueryAsync<(string Outcome, string Phone, string AppointmentId)>(
            "select outcome, customer_phone, appointment_id from calls where call_id = 'retell_call_1'");
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
            Assert.That(call.Single(), Is.EqualTo(("booked", "+12125550123", "apt_77")));
            Assert.That((await Messages()).Count, Is.EqualTo(6));
            Assert.That(await Db.ScalarAsync<string>("select source || ':' || event_id from inbound_webhooks"), Is.EqualTo("retell:retell:retell_call_1"));
        });
    }

    [Test]
    public async Task Retell_DialNoAnswer_OutboundCall_TextsBackTheNumberDialled()
    {
        var response = await PostRetell(RetellAnalyzed("retell_call_2", disconnection: "dial_no_answer", direction: "outbound"));
        var again = await PostRetell(RetellAnalyzed("retell_call_2", disconnection: "dial_no_answer", direction: "outbound"));
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Messages(), Is.EqualTo(new[]
            {
                ("missed_call", "sms", "+12125550100"), ("missed_call", "email", ""),
            }));
        });
    }

    [Test]
    public async Task Retell_OtherEventsAndCallsWithoutOutcome_204_NothingWritten_BadSignature401()
    {
        var started = await PostRetell(JsonSerializer.Serialize(new { @event = "call_started", call = new { call_id = "x" } }));
        var noOutcome = await PostRetell(RetellAnalyzed("retell_call_3"));
        var forged = await PostRetell(RetellAnalyzed("retell_call_4", disconnection: "voicemail_reached"), secret: "whsec_someone_else_00");
        var invalid = await PostRetell(RetellAnalyzed("retell_call_5", custom: new { outcome = "booked" }));
        Assert.Multiple(async () =>
        {
            Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(noOutcome.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(invalid.StatusCode, Is.EqualTo((HttpStatusCode)422));
            Assert.That(await invalid.Content.ReadAsStringAsync(), Does.Contain("appointment"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task TwilioVoice_CallerNumberNotValid_422NamesCustomerPhoneWithTheReason_NothingJournaled()
    {
        var response = await PostTwilio(VoiceStatus("no-answer", from: "+15551234567"));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)422));
            Assert.That(problem.RootElement.GetProperty("errors").GetProperty("customer.phone")[0].GetString(),
                Is.EqualTo("is not a valid number for region US"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), Is.Zero);
        });
    }

    [Test]
    public async Task TwilioVoice_NoAnswer_MissedCallToTheCaller_RetryIsDuplicate()
    {
        var response = await PostTwilio(VoiceStatus("no-answer"));
        var retry = await PostTwilio(VoiceStatus("no-answer"));
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await Messages()).Where(m => m.Channel == "sms"), Is.EqualTo(new[] { ("missed_call", "sms", "+12125550123") }));
            Assert.That(await Db.ScalarAsync<string>("select outcome from calls"), Is.EqualTo("no_answer"));
        });
    }

    [Test]
    public async Task TwilioVoice_MachineAnswered_Voicemail_HumanCompleted_204_Forged_401()
    {
        var machine = await PostTwilio(VoiceStatus("completed", "outbound-api", "machine_end_beep"));
        var human = await PostTwilio(VoiceStatus("completed", "inbound", "human"));
        var forged = await PostTwilio(VoiceStatus("busy"), token: "not-the-token");
        Assert.Multiple(async () =>
        {
            Assert.That(machine.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(await Db.ScalarAsync<string>("select outcome from calls"), Is.EqualTo("voicemail"));
            Assert.That((await Messages()).First().Recipient, Is.EqualTo("+12125550100"), "outbound: the customer is To");
            Assert.That(human.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), Is.EqualTo(1));
        });
    }
}
