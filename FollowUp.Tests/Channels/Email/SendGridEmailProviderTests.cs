using System.Text.Json.Nodes;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Email;

/// <summary>SendGridEmailProvider over real HTTP to <see cref="FakeSendGridServer"/>.</summary>
public sealed class SendGridEmailProviderTests
{
    private const string ApiKey = "SG.test-key.secret";
    private FakeSendGridServer _server = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await FakeSendGridServer.StartAsync();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private SendGridEmailProvider Provider(string? baseUrl = null) =>
        new(_http, Options.Create(new SendGridOptions
        {
            ApiKey = ApiKey, From = "Acme Dental <hello@acme.example>", BaseUrl = baseUrl ?? _server.BaseUrl,
        }), NullLogger<SendGridEmailProvider>.Instance);

    private static EmailRequest Request(string? html = "<p>See you</p>", string? category = null) =>
        new("ana@example.com", null, "Your appointment", "See you", html, "msg-42@followup.test", category);

    private ProviderSendException Failure() =>
        Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request(), CancellationToken.None))!;

    [Test]
    public async Task SendAsync_Accepted_PostsV3BodyWithBearerKey_AndReturnsXMessageId()
    {
        _server.RespondAccepted("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0");

        var receipt = await Provider().SendAsync(Request(), CancellationToken.None);

        var request = _server.Requests.Single();
        var expected = JsonNode.Parse("""
            {
              "personalizations": [ {
                "to": [ { "email": "ana@example.com" } ],
                "subject": "Your appointment",
                "custom_args": { "followup_message_id": "msg-42@followup.test" }
              } ],
              "from": { "email": "hello@acme.example", "name": "Acme Dental" },
              "content": [ { "type": "text/plain", "value": "See you" }, { "type": "text/html", "value": "<p>See you</p>" } ]
            }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo("/v3/mail/send"));
            Assert.That(request.Authorization, Is.EqualTo("Bearer " + ApiKey));
            Assert.That(request.ContentType, Does.StartWith("application/json"));
            Assert.That(JsonNode.DeepEquals(JsonNode.Parse(request.Body), expected), Is.True, request.Body);
            Assert.That(receipt, Is.EqualTo(new ProviderReceipt("sendgrid", "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", "accepted")));
        });
    }

    [Test]
    public async Task SendAsync_MarketingWithALink_SendsTheOneClickHeaders_ATransactionalOneNone()
    {
        var link = new Uri("https://followup.example/unsubscribe/" + new string('A', 180));
        var provider = Provider();

        await provider.SendAsync(Request() with { Marketing = true, UnsubscribeUrl = link }, CancellationToken.None);
        // A link on a transactional request is ignored: only marketing kinds offer to unsubscribe.
        await provider.SendAsync(Request() with { UnsubscribeUrl = link }, CancellationToken.None);

        var marketing = JsonNode.Parse(_server.Requests[0].Body)!["headers"];
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(marketing, new JsonObject
            {
                ["List-Unsubscribe"] = $"<{link.AbsoluteUri}>",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
            }), Is.True, marketing?.ToJsonString());
            Assert.That(JsonNode.Parse(_server.Requests[1].Body)!["headers"], Is.Null);
        });
    }

    [Test]
    public async Task SendAsync_MarketingWithoutALink_SendsTheMailtoFormOnly()
    {
        await Provider().SendAsync(Request() with { Marketing = true }, CancellationToken.None);

        var headers = JsonNode.Parse(_server.Requests.Single().Body)!["headers"];
        Assert.That(JsonNode.DeepEquals(headers, new JsonObject { ["List-Unsubscribe"] = "<mailto:hello@acme.example?subject=unsubscribe>" }),
            Is.True, headers?.ToJsonString());
    }

    [Test]
    public async Task SendAsync_WithKind_SendsItAsACategory()
    {
        await Provider().SendAsync(Request(category: "reminder_24h"), CancellationToken.None);

        var body = JsonNode.Parse(_server.Requests.Single().Body)!;
        Assert.That(body["categories"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "reminder_24h" }));
    }

    [Test]
    public async Task SendAsync_TextOnlyAndBareSender_SendsOnePartAndNoName()
    {
        await Provider().SendAsync(Request(html: null) with { From = "desk@other.example" }, CancellationToken.None);

        var body = JsonNode.Parse(_server.Requests.Single().Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(body["content"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(body["content"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("text/plain"));
            Assert.That(JsonNode.DeepEquals(body["from"], JsonNode.Parse("""{"email":"desk@other.example"}""")), Is.True);
        });
    }

    [Test]
    public async Task SendAsync_BaseUrlWithTrailingSlash_StillPostsToV3MailSend()
    {
        await Provider(_server.BaseUrl + "/").SendAsync(Request(), CancellationToken.None);

        Assert.That(_server.Requests.Single().Path, Is.EqualTo("/v3/mail/send"));
    }

    [Test]
    public void SendAsync_400InvalidRecipient_ThrowsPermanent_WithSendGridsMessage()
    {
        _server.RespondErrors(400, ("Does not contain a valid address.", "personalizations.0.to.0.email"));

        var ex = Failure();

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Permanent));
            Assert.That(ex.ErrorCode, Is.EqualTo("400"));
            Assert.That(ex.Message, Does.Contain("Does not contain a valid address.").And.Contain("personalizations.0.to.0.email"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public void SendAsync_400AboutFrom_ThrowsTransient_BecauseItIsOurConfiguration()
    {
        _server.RespondErrors(400, ("The from email does not contain a valid address.", "from.email"));

        var ex = Failure();

        Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
    }

    [TestCase(401, "The provided authorization grant is invalid, expired, or revoked")]
    [TestCase(403, "The from address does not match a verified Sender Identity.")]
    public void SendAsync_AuthRefused_ThrowsTransient_AndNeverEchoesTheKey(int status, string message)
    {
        _server.RespondErrors(status, (message, null));

        var ex = Failure();

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo(status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(ex.Message, Does.Contain(message).And.Not.Contain(ApiKey));
        });
    }

    [Test]
    public void SendAsync_413_ThrowsPermanent()
    {
        _server.RespondErrors(413, ("The JSON payload you have included in your request is too large.", null));

        Assert.That((Failure()).Kind, Is.EqualTo(SendFailureKind.Permanent));
    }

    [Test]
    public void SendAsync_429_ThrowsTransient_NotSent()
    {
        _server.RespondErrors(429, ("too many requests", null));

        var ex = Failure();

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("429"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public void SendAsync_500WithoutJson_ThrowsTransient_MayHaveBeenSent()
    {
        _server.RespondStatus(500, "<html>oops</html>");

        var ex = Failure();

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("500"));
            Assert.That(ex.MayHaveBeenSent, Is.True);
        });
    }

    [Test]
    public void SendAsync_NoAnswerWithinTimeout_ThrowsTransientTimeout_MayHaveBeenSent()
    {
        _http.Timeout = TimeSpan.FromSeconds(1);
        _server.RespondAfter(TimeSpan.FromSeconds(30));

        var ex = Failure();

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("timeout"));
            Assert.That(ex.MayHaveBeenSent, Is.True);
        });
    }

    [Test]
    public void SendAsync_CallerCancels_ThrowsOperationCanceled_NotAProviderFailure()
    {
        _server.RespondAfter(TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(async () => await Provider().SendAsync(Request(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task SendAsync_NothingListening_ThrowsTransient_NotSent()
    {
        var baseUrl = _server.BaseUrl;
        await _server.DisposeAsync();
        _server = await FakeSendGridServer.StartAsync();

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider(baseUrl).SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public void SendAsync_MalformedRecipient_ThrowsPermanent_WithoutCallingSendGrid()
    {
        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request() with { To = "nope" }, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Permanent));
            Assert.That(_server.Requests, Is.Empty);
        });
    }
}
