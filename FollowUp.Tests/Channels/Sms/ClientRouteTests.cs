using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Signing;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Channels.Sms;

/// <summary>
/// A client's own SMS webhook route (its <c>sms_route</c>): every SMS of the client is a POST to its receiver signed
/// with its secret, reports come back at <c>/webhooks/route/{client_id}/status</c> signed with the same secret, and
/// the URL is only dialled at a public address. Twilio faked at its wire stays the other clients' road.
/// </summary>
[NonParallelizable]
public sealed class ClientRouteTests
{
    private const string ClientSecret = "client-route-secret-0123";

    private FakeTwilioServer _twilio = null!;
    private FakeWebhookReceiver _receiver = null!;
    private TestDatabase _db = null!;
    private ApiHost _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        _receiver = await FakeWebhookReceiver.StartAsync();
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
        await _receiver.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private async Task StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = TwilioTestAccount.Settings(_twilio);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        _api = ApiHost.Start(_db, settings);
        await TestClients.CreateAsync(_api.Services);
        await TestClients.CreateAsync(_api.Services, "route-dental", TestClients.Acme() with
        {
            SmsRoute = new SmsRouteSettings { Url = _receiver.Url.ToString(), Secret = ClientSecret },
        });
    }

    private async Task<HttpResponseMessage> ReportAsync(string clientId, object report, string secret = ClientSecret)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(report);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/route/{clientId}/status") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(CallSignature.Header, CallSignature.Compute(secret, SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds(), body));
        using var anonymous = _api.Factory.CreateClient();
        return await anonymous.SendAsync(request);
    }

    [Test]
    public async Task ClientsRoute_SignedPostWithItsSecret_ReportSignedByItMovesTheMessage_OthersRefused()
    {
        await StartAsync();
        _receiver.AnswerJson = n => $"{{\"provider_message_id\":\"ghl-{n}\"}}";
        var messages = _api.Services.GetRequiredService<IMessageClient>();

        var routed = await messages.SendSmsAsync("route-dental", "+12125550123", "Via our own CRM.");
        var other = await _api.PostSmsAsync("+12125550124", "Via Twilio.");
        var sent = await _api.WaitForStatusAsync(routed.Id, "sent");
        await _api.WaitForStatusAsync(other, "sent");
        var post = _receiver.Requests.Single();
        using var json = JsonDocument.Parse(post.Body);
        var forged = await ReportAsync("route-dental", new { provider_message_id = "ghl-1", status = "delivered" }, secret: "not-the-client-secret-at-all");
        var otherClients = await ReportAsync("route-dental", new { message_id = other, status = "delivered" });
        var unknownClient = await ReportAsync("no-such-dental", new { message_id = routed.Id, status = "delivered" });
        var statusAfterRefusals = (await _api.WaitForStatusAsync(routed.Id, "sent")).GetProperty("status").GetString();
        var otherAfter = (await _api.WaitForStatusAsync(other, "sent")).GetProperty("status").GetString();
        var report = await ReportAsync("route-dental", new { provider_message_id = "ghl-1", status = "delivered" });
        var delivered = await _api.WaitForStatusAsync(routed.Id, "delivered");

        Assert.Multiple(() =>
        {
            Assert.That(CallSignature.Verify(ClientSecret, post.Header(CallSignature.Header), Encoding.UTF8.GetBytes(post.Body), SystemClock.Instance.GetCurrentInstant()),
                Is.EqualTo(SignatureCheck.Valid), "signed with the client's own route secret");
            Assert.That(post.Header("Idempotency-Key"), Is.EqualTo(routed.Id.ToString(CultureInfo.InvariantCulture)));
            Assert.That(json.RootElement.GetProperty("client_id").GetString(), Is.EqualTo("route-dental"));
            Assert.That(json.RootElement.GetProperty("to").GetString(), Is.EqualTo("+12125550123"));
            Assert.That(sent.GetProperty("provider").GetString(), Is.EqualTo("webhook"));
            Assert.That(sent.GetProperty("provider_message_id").GetString(), Is.EqualTo("route-dental/ghl-1"), "the receiver's id, kept per client");
            Assert.That(_twilio.Requests.Select(r => r.Form["Body"].ToString()), Is.EqualTo(new[] { "Via Twilio." }), "the route client's SMS never went to Twilio");
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(otherClients.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), "a client's report names only its own messages");
            Assert.That(unknownClient.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(statusAfterRefusals, Is.EqualTo("sent"));
            Assert.That(otherAfter, Is.EqualTo("sent"));
            Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(delivered.GetProperty("status").GetString(), Is.EqualTo("delivered"));
        });
    }

    [Test]
    public async Task ClientsRoute_AtAnInternalAddress_IsNeverCalled()
    {
        // Loopback is internal unless development allows it: the route's host is checked on the address connected to.
        await StartAsync(new() { ["FollowUp:Notifications:AllowLoopback"] = "false" });

        var routed = await _api.Services.GetRequiredService<IMessageClient>().SendSmsAsync("route-dental", "+12125550123", "Hi.");
        var dead = await _api.WaitForStatusAsync(routed.Id, "dead_lettered");

        Assert.Multiple(() =>
        {
            Assert.That(_receiver.Requests, Is.Empty, "nothing reached the internal address");
            Assert.That(_twilio.Requests, Is.Empty, "the client's route is its only road");
            Assert.That(dead.GetProperty("error").GetString(), Does.Contain("public internet address"));
        });
    }
}
