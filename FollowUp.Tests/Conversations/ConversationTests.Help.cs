using System.Net;
using FollowUp.Jobs.Clients;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Conversations;

/// <summary>HELP and INFO: answered with the client's help_text in Twilio's response, or not at all.</summary>
public sealed partial class ConversationTests
{
    private const string HelpText = "Acme Dental appointment texts. Call +1 212 555 0100 or visit acme.example. Reply STOP to stop & <opt out>.";

    [TestCase("HELP")]
    [TestCase(" info ")]
    public async Task InboundHelpOrInfo_ClientHasHelpText_AnsweredWithItInTwiml(string body)
    {
        await TestClients.CreateAsync(Api.Services, settings: TestClients.Acme(c => c with
        {
            SmsFrom = ClientNumber, EmailEnabled = false, HelpText = HelpText,
            Notifications = new NotificationSettings { Url = _receiver.Url.ToString(), Secret = NotifySecret },
        }));

        var response = await InboundAsync(body);
        var twiml = await response.Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(twiml, Is.EqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>"
                + "Acme Dental appointment texts. Call +1 212 555 0100 or visit acme.example. Reply STOP to stop &amp; &lt;opt out&gt;."
                + "</Message></Response>"));
            Assert.That(await Db.ScalarAsync<string>("select action from inbound_sms"), Is.EqualTo("help"));
        });
    }

    [Test]
    public async Task InboundHelp_ClientWithoutHelpText_AnsweredWithEmptyTwiml()
    {
        var response = await InboundAsync("HELP");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"));
    }

    [Test]
    public async Task InboundHelp_TwilioRetriesTheSameMessage_TheRetryGetsNoSecondAnswer()
    {
        await TestClients.CreateAsync(Api.Services, settings: TestClients.Acme(c => c with { SmsFrom = ClientNumber, HelpText = HelpText }));
        var form = Inbound("HELP", sid: "SM" + Guid.NewGuid().ToString("N"));

        var first = await (await PostSignedAsync("/webhooks/twilio/inbound", form)).Content.ReadAsStringAsync();
        var retry = await (await PostSignedAsync("/webhooks/twilio/inbound", form)).Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(first, Does.Contain("<Message>"));
            Assert.That(retry, Is.EqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"));
        });
    }
}
