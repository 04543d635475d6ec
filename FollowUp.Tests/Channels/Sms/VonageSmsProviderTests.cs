using System.Net;
using System.Net.Sockets;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Sms;

/// <summary>Vonage's SMS API through its real composition (named HttpClient, options) against the fake at its wire.</summary>
public sealed class VonageSmsProviderTests
{
    private FakeVonageServer _vonage = null!;
    private ServiceProvider? _services;

    [SetUp]
    public async Task StartFake() => _vonage = await FakeVonageServer.StartAsync();

    [TearDown]
    public async Task StopFake()
    {
        await _vonage.DisposeAsync();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private ISmsProvider Provider(Dictionary<string, string?>? extra = null, Uri? baseUrl = null)
    {
        var settings = _vonage.Settings();
        settings["FollowUp:Sms:Vonage:BaseUrl"] = (baseUrl ?? _vonage.BaseUrl).ToString();
        settings["FollowUp:PublicBaseUrl"] = "https://followup.example";
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddOptions<PublicUrlOptions>().Bind(configuration.GetSection(PublicUrlOptions.Section));
        _services = services.AddVonageSms(configuration).BuildServiceProvider();
        _services.GetRequiredService<IStartupValidator>().Validate();
        return _services.GetServices<ISmsProvider>().Single();
    }

    private static SmsRequest Request(string body = "Hi Ana, see you Tue 2:00 PM & bring 100% of your smile", string? from = null) =>
        new("+12125550123", from, body, null, MessageId: 4711, ClientId: "acme-dental", Kind: "reminder_1h");

    [Test]
    public async Task SendAsync_Accepted_PostsTheDocumentedFormAndKeepsVonagesMessageId()
    {
        var provider = Provider();

        var receipt = await provider.SendAsync(Request(), CancellationToken.None);

        var sent = _vonage.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(provider.Name, Is.EqualTo("vonage"));
            Assert.That(sent.ContentType, Does.StartWith("application/x-www-form-urlencoded"));
            Assert.That(sent.Field("api_key"), Is.EqualTo(FakeVonageServer.ApiKey));
            Assert.That(sent.Field("api_secret"), Is.EqualTo(FakeVonageServer.ApiSecret));
            Assert.That(sent.Field("from"), Is.EqualTo("12125550188"), "E.164 without its +, as Vonage takes it");
            Assert.That(sent.Field("to"), Is.EqualTo("12125550123"));
            Assert.That(sent.Field("text"), Is.EqualTo("Hi Ana, see you Tue 2:00 PM & bring 100% of your smile"));
            Assert.That(sent.Field("client-ref"), Is.EqualTo("4711"), "our message id, so its receipt names the message");
            Assert.That(sent.Form.ContainsKey("type"), Is.False, "GSM-7 text goes as Vonage's default type");
            Assert.That(sent.Field("callback"), Is.EqualTo("https://followup.example/webhooks/vonage/status"));
            Assert.That(receipt.Provider, Is.EqualTo("vonage"));
            Assert.That(receipt.ProviderMessageId, Is.EqualTo(sent.MessageIds.Single()));
            Assert.That(receipt.Segments, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SendAsync_NotGsm7_GoesAsUnicode_AClientsSenderWins_PartsAreSegments()
    {
        var provider = Provider();
        _vonage.Then(FakeVonageReply.Accepted(parts: 2));

        var receipt = await provider.SendAsync(Request("Привет, до встречи во вторник 😀", from: "+12125550100"), CancellationToken.None);

        var sent = _vonage.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Field("type"), Is.EqualTo("unicode"));
            Assert.That(sent.Field("from"), Is.EqualTo("12125550100"));
            Assert.That(receipt.Segments, Is.EqualTo(2));
            Assert.That(receipt.ProviderMessageId, Is.EqualTo(sent.MessageIds[0]));
        });
    }

    // Vonage's documented status codes: permanent (the recipient or content), definitely not sent (fail over
    // now), or may have been sent (wait for the receipt).
    [TestCase("1", SendFailureKind.Transient, false, TestName = "SendAsync_Status1Throttled_NotSent")]
    [TestCase("2", SendFailureKind.Transient, false, TestName = "SendAsync_Status2MissingParameters_NotSent")]
    [TestCase("3", SendFailureKind.Transient, false, TestName = "SendAsync_Status3InvalidParameters_NotSent")]
    [TestCase("4", SendFailureKind.Transient, false, TestName = "SendAsync_Status4InvalidCredentials_NotSent")]
    [TestCase("5", SendFailureKind.Transient, true, TestName = "SendAsync_Status5InternalError_MayHaveBeenSent")]
    [TestCase("6", SendFailureKind.Permanent, false, TestName = "SendAsync_Status6InvalidMessage_Permanent")]
    [TestCase("7", SendFailureKind.Permanent, false, TestName = "SendAsync_Status7NumberBarred_Permanent")]
    [TestCase("8", SendFailureKind.Transient, false, TestName = "SendAsync_Status8AccountBarred_NotSent")]
    [TestCase("9", SendFailureKind.Transient, false, TestName = "SendAsync_Status9QuotaViolation_NotSent")]
    [TestCase("12", SendFailureKind.Permanent, false, TestName = "SendAsync_Status12MessageTooLong_Permanent")]
    [TestCase("13", SendFailureKind.Transient, false, TestName = "SendAsync_Status13CommunicationFailed_NotSent")]
    [TestCase("15", SendFailureKind.Transient, false, TestName = "SendAsync_Status15InvalidSender_NotSent")]
    [TestCase("29", SendFailureKind.Transient, false, TestName = "SendAsync_Status29NonWhitelistedDestination_NotSent")]
    [TestCase("33", SendFailureKind.Permanent, false, TestName = "SendAsync_Status33NumberDeactivated_Permanent")]
    [TestCase("99", SendFailureKind.Transient, false, TestName = "SendAsync_UndocumentedStatus_NotSent")]
    public void SendAsync_RefusedWithStatus_IsClassified(string status, SendFailureKind kind, bool mayHaveBeenSent)
    {
        var provider = Provider();
        _vonage.Then(FakeVonageReply.Refused(status, "Vonage's words"));

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Provider, Is.EqualTo("vonage"));
            Assert.That(ex.Kind, Is.EqualTo(kind));
            Assert.That(ex.MayHaveBeenSent, Is.EqualTo(mayHaveBeenSent));
            Assert.That(ex.ErrorCode, Is.EqualTo(status));
            Assert.That(ex.Message, Does.Contain("Vonage's words"));
            Assert.That(ex.Message, Does.Not.Contain(FakeVonageServer.ApiSecret));
        });
    }

    [TestCase(401, false)]
    [TestCase(403, false)]
    [TestCase(429, false)]
    [TestCase(500, true)]
    [TestCase(503, true)]
    public void SendAsync_HttpError_NotSentOnlyWhenItProvesNothingWasQueued(int status, bool mayHaveBeenSent)
    {
        var provider = Provider();
        _vonage.Then(FakeVonageReply.HttpError(status));

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.MayHaveBeenSent, Is.EqualTo(mayHaveBeenSent));
        });
    }

    [Test]
    public void SendAsync_QueuedThenNoAnswerWithinTheTimeout_MayHaveBeenSent()
    {
        var provider = Provider(new() { ["FollowUp:Sms:Vonage:TimeoutSeconds"] = "1" });
        _vonage.Then(FakeVonageReply.QueuedThenHang(TimeSpan.FromSeconds(30)));

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo("timeout"));
            Assert.That(ex.MayHaveBeenSent, Is.True, "Vonage queued it; only the answer was lost");
            Assert.That(_vonage.Queued, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void SendAsync_ConnectionRefused_NotSent()
    {
        // A port nothing listens on: bound, then released.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = Provider(baseUrl: new Uri($"http://127.0.0.1:{port}"));

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public void SendAsync_TwoHundredWithAPageNotVonagesAnswer_MayHaveBeenSent()
    {
        var provider = Provider();
        _vonage.Then(new FakeVonageReply { RawBody = "<html>ok</html>", Stored = false });

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), CancellationToken.None));

        Assert.That(ex!.MayHaveBeenSent, Is.True);
    }

    [Test]
    public void ReceiptWait_IsTheConfiguredWait()
    {
        var provider = Provider(new() { ["FollowUp:Sms:Vonage:ReceiptWaitSeconds"] = "120" });

        Assert.That(provider.ReceiptWait, Is.EqualTo(NodaTime.Duration.FromSeconds(120)));
    }
}
