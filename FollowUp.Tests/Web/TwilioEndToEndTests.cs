using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>
/// SMS end to end over HTTP: our API → the Twilio adapter → a fake Twilio at its wire → signed
/// callbacks back into our webhooks.
/// </summary>
public sealed class TwilioEndToEndTests : ApiTest
{
    private const string AccountSid = TwilioTestAccount.AccountSid;
    private const string AuthToken = TwilioTestAccount.AuthToken;

    private FakeTwilioServer _twilio = null!;

    protected override bool StartsApiInSetUp => false;

    [SetUp]
    public async Task SetUp()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        await StartApiAsync(TwilioTestAccount.Settings(_twilio));
    }

    [TearDown]
    public async Task TearDown() => await _twilio.DisposeAsync();

    private Task<long> PostMessageAsync(string body) => Api.PostSmsAsync("+12125550123", body);

    private Task<JsonElement> WaitForStatus(long id, string status) => Api.WaitForStatusAsync(id, status);

    private Task<HttpResponseMessage> PostSignedAsync(string path, Dictionary<string, string> form, string token = AuthToken) =>
        Api.PostSignedAsync(path, form, token);

    private static Dictionary<string, string> Status(string sid, string status) => new()
    {
        ["MessageSid"] = sid, ["SmsSid"] = sid, ["AccountSid"] = AccountSid, ["MessageStatus"] = status, ["SmsStatus"] = status,
        ["To"] = "+12125550123", ["From"] = "+12125550100", ["ApiVersion"] = "2010-04-01",
    };

    private static Dictionary<string, string> Inbound(string body, string from = "+12125550123", string to = "+12125550100") => new()
    {
        ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = AccountSid, ["From"] = from,
        ["To"] = to, ["Body"] = body, ["NumMedia"] = "0",
    };

    [Test]
    public async Task ApiMessage_TwilioReceivesTheExactForm_SignedCallbackMarksItDelivered_LateSentIgnored()
    {
        var id = await PostMessageAsync("Your appointment is confirmed.");
        var sent = await WaitForStatus(id, "sent");
        var sid = sent.GetProperty("provider_message_id").GetString()!;
        var received = _twilio.Requests.Single();

        var delivered = await PostSignedAsync("/webhooks/twilio/status", Status(sid, "delivered"));
        var lateSent = await PostSignedAsync("/webhooks/twilio/status", Status(sid, "sent"));
        var after = await WaitForStatus(id, "delivered");

        Assert.Multiple(() =>
        {
            Assert.That(received.Path, Is.EqualTo($"/2010-04-01/Accounts/{AccountSid}/Messages.json"));
            Assert.That(received.Authorization, Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"))));
            Assert.That(received.Form["To"].ToString(), Is.EqualTo("+12125550123"));
            Assert.That(received.Form["From"].ToString(), Is.EqualTo("+12125550100"), "the client's own number");
            Assert.That(received.Form["Body"].ToString(), Is.EqualTo("Your appointment is confirmed."));
            Assert.That(received.Form["StatusCallback"].ToString(), Is.EqualTo(TwilioTestAccount.PublicBase + $"/webhooks/twilio/status?message_id={id}"),
                "the callback names the message");
            Assert.That(sent.GetProperty("provider").GetString(), Is.EqualTo("twilio"));
            Assert.That(sent.GetProperty("segments").GetInt32(), Is.EqualTo(1));
            Assert.That(delivered.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(lateSent.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(after.GetProperty("status").GetString(), Is.EqualTo("delivered"), "a late 'sent' never overwrites 'delivered'");
        });
    }

    [Test]
    public async Task StatusCallback_ForgedOrUnsigned_401_NothingChanges()
    {
        var id = await PostMessageAsync("Hi");
        var sid = (await WaitForStatus(id, "sent")).GetProperty("provider_message_id").GetString()!;

        var forged = await PostSignedAsync("/webhooks/twilio/status", Status(sid, "failed"), token: "not-the-token");
        using var anonymous = Api.Factory.CreateClient();
        var unsigned = await anonymous.PostAsync(new Uri("/webhooks/twilio/status", UriKind.Relative), new FormUrlEncodedContent(Status(sid, "failed")));

        var after = await WaitForStatus(id, "sent");
        Assert.Multiple(() =>
        {
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(unsigned.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(after.GetProperty("status").GetString(), Is.EqualTo("sent"));
        });
    }

    [Test]
    public async Task InboundStop_ThenSend_Skipped_Start_ThenSend_Sent_HelpRecorded()
    {
        var stop = await PostSignedAsync("/webhooks/twilio/inbound", Inbound("  Stop "));
        var whileStopped = await PostMessageAsync("Reminder");
        var skipped = await WaitForStatus(whileStopped, "skipped");
        var start = await PostSignedAsync("/webhooks/twilio/inbound", Inbound("START"));
        var afterStart = await PostMessageAsync("Reminder again");
        await WaitForStatus(afterStart, "sent");
        var help = await PostSignedAsync("/webhooks/twilio/inbound", Inbound("help"));

        var keywords = await Db.QueryAsync<string>("select keyword || ':' || array_to_string(client_ids, ',') from inbound_sms order by id");
        Assert.Multiple(async () =>
        {
            Assert.That(stop.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(stop.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/xml"));
            Assert.That(await stop.Content.ReadAsStringAsync(), Does.Contain("<Response></Response>"));
            Assert.That(skipped.GetProperty("skip_reason").GetString(), Is.EqualTo("opted out"));
            Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(help.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(keywords, Is.EqualTo(new[] { "stop:acme-dental", "start:acme-dental", "help:acme-dental" }));
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1), "only the message after START reached Twilio");
        });
    }

    [Test]
    public async Task InboundStop_NumbersNotInE164Form_NormalizedBeforeMatchingAndStoring()
    {
        var stop = await PostSignedAsync("/webhooks/twilio/inbound", Inbound("STOP", from: "+1 (212) 555-0123", to: "+1 212-555-0100"));
        var afterStop = await PostMessageAsync("Reminder");
        var skipped = await WaitForStatus(afterStop, "skipped");

        Assert.Multiple(async () =>
        {
            Assert.That(stop.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Db.QueryAsync<string>("select from_number || ' ' || to_number || ' ' || array_to_string(client_ids, ',') from inbound_sms"),
                Is.EqualTo(new[] { "+12125550123 +12125550100 acme-dental" }), "matched to the client whose sms_from it wrote to");
            Assert.That(await Db.QueryAsync<string>("select address from suppressions"), Is.EqualTo(new[] { "+12125550123" }));
            Assert.That(skipped.GetProperty("skip_reason").GetString(), Is.EqualTo("opted out"), "the suppression matches the E.164 recipient");
        });
    }
}
