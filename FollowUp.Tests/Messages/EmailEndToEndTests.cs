using FollowUp.Jobs.Messages;
using FollowUp.Tests.Channels.Email;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Messages;

/// <summary>An email through the whole pipeline to a real SMTP listener, with SendGrid as the fallback at its wire.</summary>
public sealed class EmailEndToEndTests : EngineTest
{
    protected override bool StartsEngineInSetUp => false;

    [Test]
    public async Task SendEmail_ThroughSmtp_ArrivesWithOurMessageIdAndBothParts_MessageSent()
    {
        await using var smtp = SmtpTestServer.Start();
        await StartEngineAsync(new()
        {
            ["FollowUp:Smtp:Host"] = "127.0.0.1",
            ["FollowUp:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FollowUp:Smtp:EnableSsl"] = "false",
            ["FollowUp:Smtp:From"] = "FollowUp <noreply@followup.example>",
        });

        var planned = await Messages.SendEmailAsync("acme-dental", "ana@example.com", "Your visit", "Hi Ana <3,\nsee you Wednesday.");
        var sent = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent);

        var mail = smtp.Received.Single();
        var emailMessageId = await Db.ScalarAsync<string>("select email_message_id from messages where id = @id", new { id = planned.Id });
        Assert.Multiple(() =>
        {
            Assert.That(sent.Provider, Is.EqualTo("smtp"));
            Assert.That(mail.Recipients, Is.EqualTo(new[] { "ana@example.com" }));
            Assert.That(MimeText.Header(mail.Data, "Message-ID"), Is.EqualTo($"<{emailMessageId}>"));
            Assert.That(MimeText.Header(mail.Data, "From"), Does.Contain("hello@acme.example"), "the client's sender");
            Assert.That(MimeText.Part(mail.Data, "text/plain"), Does.Contain("see you Wednesday."));
            Assert.That(MimeText.Part(mail.Data, "text/html"), Does.Contain("Hi Ana &lt;3,<br>see you Wednesday."));
        });
    }

    [Test]
    public async Task SendEmail_SmtpDown_FailsOverToSendGrid()
    {
        await using var sendGrid = await FakeSendGridServer.StartAsync();
        await StartEngineAsync(new()
        {
            ["FollowUp:Smtp:Host"] = "127.0.0.1",
            ["FollowUp:Smtp:Port"] = "1", // nothing listens: a transient failure
            ["FollowUp:Smtp:EnableSsl"] = "false",
            ["FollowUp:Smtp:From"] = "noreply@followup.example",
            ["FollowUp:SendGrid:ApiKey"] = "SG.test-key",
            ["FollowUp:SendGrid:From"] = "noreply@followup.example",
            ["FollowUp:SendGrid:BaseUrl"] = sendGrid.BaseUrl,
        });

        var planned = await Messages.SendEmailAsync("acme-dental", "ana@example.com", "Your visit", "Hi");
        var sent = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent);

        Assert.Multiple(() =>
        {
            Assert.That(sent.Provider, Is.EqualTo("sendgrid"));
            Assert.That(sendGrid.Requests, Has.Count.EqualTo(1));
        });
    }
}
