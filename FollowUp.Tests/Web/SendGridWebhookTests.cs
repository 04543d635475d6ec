using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Web;

/// <summary>POST /webhooks/sendgrid/events with real ECDSA signatures (a test key standing in for SendGrid's).</summary>
public sealed class SendGridWebhookTests : ApiTest
{
    private ECDsa _key = null!;
    private FakeSendGridServer _sendGrid = null!;

    protected override bool StartsApiInSetUp => false;

    [SetUp]
    public async Task SetUp()
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _sendGrid = await FakeSendGridServer.StartAsync();
        await StartApiAsync(new()
        {
            ["FollowUp:SendGrid:ApiKey"] = "SG.test-key",
            ["FollowUp:SendGrid:From"] = "noreply@followup.example",
            ["FollowUp:SendGrid:BaseUrl"] = _sendGrid.BaseUrl,
            ["FollowUp:SendGrid:WebhookPublicKey"] = Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo()),
        });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _sendGrid.DisposeAsync();
        _key.Dispose();
    }

    private IMessageClient Messages => Api.Services.GetRequiredService<IMessageClient>();

    private async Task<MessageInfo> SentEmailAsync(string to = "ana@example.com")
    {
        var planned = await Messages.SendEmailAsync("acme-dental", to, "Visit", "Hi");
        return await Eventually.WaitForAsync(async () => (await Messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent);
    }

    private async Task<HttpResponseMessage> PostEvents(string json, ECDsa? signer = null, long? timestamp = null)
    {
        var ts = (timestamp ?? SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes(json);
        var signature = (signer ?? _key).SignData([.. Encoding.UTF8.GetBytes(ts), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid/events") { Content = content };
        request.Headers.Add(SendGridEventWebhook.SignatureHeader, Convert.ToBase64String(signature));
        request.Headers.Add(SendGridEventWebhook.TimestampHeader, ts);
        using var anonymous = Api.Factory.CreateClient();
        return await anonymous.SendAsync(request);
    }

    private static string Event(string kind, string email, string providerId, string? reason = null) =>
        $$"""[{ "email": "{{email}}", "event": "{{kind}}", "sg_message_id": "{{providerId}}.filterdrecv-5645d9c87f-abcde.1.0", "timestamp": 1700000000{{(reason is null ? "" : $", \"reason\": \"{reason}\"")}} }]""";

    [Test]
    public async Task Delivered_MarksTheMessageDelivered()
    {
        var sent = await SentEmailAsync();

        var response = await PostEvents(Event("delivered", "ana@example.com", sent.ProviderMessageId!));

        var after = (await Messages.FindAsync(sent.Id))!;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after.Status, Is.EqualTo(MessageStatus.Delivered));
        });
    }

    [Test]
    public async Task Bounce_MarksUndelivered_AndSuppressesTheAddress_SoTheNextEmailIsSkipped()
    {
        var sent = await SentEmailAsync("Ana@Example.com");

        var response = await PostEvents(Event("bounce", "ana@example.com", sent.ProviderMessageId!, "550 5.1.1 no such user"));
        var next = await Messages.SendEmailAsync("acme-dental", "ana@example.com", "Visit", "Hi again");
        var skipped = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(next.Id))!, m => m.Status == MessageStatus.Skipped);

        var after = (await Messages.FindAsync(sent.Id))!;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after.Status, Is.EqualTo(MessageStatus.Undelivered));
            Assert.That(after.Error, Does.Contain("no such user"));
            Assert.That(skipped.SkipReason, Is.EqualTo("opted out"));
        });
    }

    [TestCase("unsubscribe")]
    [TestCase("group_unsubscribe")]
    [TestCase("spamreport")]
    public async Task UnsubscribeOrComplaint_SuppressesTheAddressForThatMessagesClientOnly(string kind)
    {
        await TestClients.CreateAsync(Api.Services, "bright-smiles", TestClients.Acme(c => c with { Name = "Bright Smiles" }));
        var acme = await SentEmailAsync();
        var planned = await Messages.SendEmailAsync("bright-smiles", "ana@example.com", "Visit", "Hi");
        await Eventually.WaitForAsync(async () => (await Messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent);

        var response = await PostEvents(Event(kind, "ana@example.com", acme.ProviderMessageId!));
        var fromAcme = await Messages.SendEmailAsync("acme-dental", "ana@example.com", "Visit", "Hi again");
        var fromBright = await Messages.SendEmailAsync("bright-smiles", "ana@example.com", "Visit", "Hi again");
        var skipped = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(fromAcme.Id))!, m => m.Status == MessageStatus.Skipped);
        var sent = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(fromBright.Id))!, m => m.Status == MessageStatus.Sent);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Db.ScalarAsync<string>("select string_agg(client_id || ' ' || reason, ';') from suppressions"),
                Is.EqualTo($"acme-dental sendgrid {kind}"), "the recipient answered Acme's mail, not Bright Smiles'");
            Assert.That(skipped.SkipReason, Is.EqualTo("opted out"));
            Assert.That(sent.Provider, Is.EqualTo("sendgrid"));
        });
    }

    [Test]
    public async Task ForgedSignature_401_NothingChanges()
    {
        var sent = await SentEmailAsync();
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var response = await PostEvents(Event("bounce", "ana@example.com", sent.ProviderMessageId!), forger);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await Messages.FindAsync(sent.Id))!.Status, Is.EqualTo(MessageStatus.Sent));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from suppressions"), Is.Zero);
        });
    }

    [Test]
    public async Task StaleTimestamp_401()
    {
        var sent = await SentEmailAsync();
        var stale = SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds() - 301;

        var response = await PostEvents(Event("delivered", "ana@example.com", sent.ProviderMessageId!), timestamp: stale);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await Messages.FindAsync(sent.Id))!.Status, Is.EqualTo(MessageStatus.Sent));
        });
    }

    [Test]
    public async Task SignedButNotAnArray_400()
    {
        var response = await PostEvents("""{ "event": "delivered" }""");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
