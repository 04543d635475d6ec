using System.Net;
using System.Net.Sockets;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Email;

/// <summary>
/// SmtpEmailProvider (MailKit) over a real socket to <see cref="SmtpTestServer"/>, with STARTTLS unless a
/// test says otherwise; the server's self-signed certificate is trusted by these tests alone.
/// </summary>
public sealed partial class SmtpEmailProviderTests
{
    private readonly List<SmtpConnectionPool> _pools = [];
    private SmtpTestServer _server = null!;

    [SetUp]
    public void SetUp() => _server = SmtpTestServer.Start();

    [TearDown]
    public async Task TearDown()
    {
        foreach (var pool in _pools)
        {
            await pool.DisposeAsync();
        }

        _pools.Clear();
        await _server.DisposeAsync();
    }

    private SmtpEmailProvider Provider(Action<SmtpOptions>? configure = null) => Provider(_server.Port, configure);

    private SmtpEmailProvider Provider(int port, Action<SmtpOptions>? configure = null, bool trust = true)
    {
        var settings = new SmtpOptions
        {
            Host = "127.0.0.1", Port = port, Security = SmtpSecurity.StartTls, From = "Acme Dental <hello@acme.example>", TimeoutSeconds = 10,
        };
        configure?.Invoke(settings);
        var options = Options.Create(settings);
        var pool = new SmtpConnectionPool(options, new SmtpServerCertificates { Validate = trust ? TestCertificate.Trust : null });
        _pools.Add(pool);
        return new SmtpEmailProvider(pool, options, NullLogger<SmtpEmailProvider>.Instance);
    }

    private static EmailRequest Request(string to = "ana@example.com", string? html = "<p>See you <b>Tuesday</b></p>") =>
        new(to, null, "Your appointment", "See you Tuesday", html, "msg-42@followup.test");

    [Test]
    public async Task SendAsync_TextAndHtml_DeliversOneMessageWithOurHeadersAndBothParts()
    {
        var receipt = await Provider().SendAsync(Request(), CancellationToken.None);

        var mail = _server.Received.Single();
        Assert.Multiple(() =>
        {
            Assert.That(receipt, Is.EqualTo(new ProviderReceipt("smtp", "msg-42@followup.test", "accepted")));
            Assert.That(mail.MailFrom, Is.EqualTo("hello@acme.example"));
            Assert.That(mail.Recipients, Is.EqualTo(new[] { "ana@example.com" }));
            Assert.That(mail.Data, Does.Contain("Message-ID: <msg-42@followup.test>\r\n").IgnoreCase);
            Assert.That(MimeText.Header(mail.Data, "Subject"), Is.EqualTo("Your appointment"));
            Assert.That(MimeText.Header(mail.Data, "From"), Does.Contain("Acme Dental").And.Contain("<hello@acme.example>"));
            Assert.That(MimeText.Header(mail.Data, "To"), Does.Contain("ana@example.com"));
            Assert.That(MimeText.Header(mail.Data, "Content-Type"), Does.StartWith("multipart/alternative"));
            Assert.That(MimeText.Part(mail.Data, "text/plain"), Is.EqualTo("See you Tuesday"));
            Assert.That(MimeText.Part(mail.Data, "text/html"), Is.EqualTo("<p>See you <b>Tuesday</b></p>"));
        });
    }

    [Test]
    public async Task SendAsync_TextOnly_DeliversPlainTextWithoutHtmlPart()
    {
        await Provider().SendAsync(Request(html: null), CancellationToken.None);

        var mail = _server.Received.Single();
        Assert.Multiple(() =>
        {
            Assert.That(MimeText.Header(mail.Data, "Content-Type"), Does.StartWith("text/plain"));
            Assert.That(mail.Data, Does.Not.Contain("text/html"));
        });
    }

    [Test]
    public async Task SendAsync_RequestFromAndUnicodeSubject_OverrideSenderAndSurviveEncoding()
    {
        await Provider().SendAsync(Request() with { From = "Other Clinic <desk@other.example>", Subject = "Rendez-vous confirmé ✓" }, CancellationToken.None);

        var mail = _server.Received.Single();
        Assert.Multiple(() =>
        {
            Assert.That(mail.MailFrom, Is.EqualTo("desk@other.example"));
            Assert.That(MimeText.Header(mail.Data, "Subject"), Is.EqualTo("Rendez-vous confirmé ✓"));
        });
    }

    [Test]
    public async Task SendAsync_WithUser_AuthenticatesAsThatUser()
    {
        await Provider(o => { o.User = "relay-user"; o.Password = "relay-pass"; }).SendAsync(Request(), CancellationToken.None);

        Assert.That(_server.Received.Single().AuthUser, Is.EqualTo("relay-user"));
    }

    [Test]
    public async Task SendAsync_BodyLineStartingWithDot_ArrivesIntact()
    {
        await Provider().SendAsync(Request(html: null) with { TextBody = "first\r\n.second\r\n." }, CancellationToken.None);

        Assert.That(MimeText.Part(_server.Received.Single().Data, "text/plain"), Is.EqualTo("first\r\n.second\r\n."));
    }

    [Test]
    public void SendAsync_RecipientRefused550_ThrowsPermanent()
    {
        _server.RejectRecipient("gone@example.com");

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request("gone@example.com"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Permanent));
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.ErrorCode, Is.EqualTo("550"));
            Assert.That(ex.Provider, Is.EqualTo("smtp"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
            Assert.That(_server.Received, Is.Empty);
        });
    }

    [Test]
    public void SendAsync_RecipientDeferred450_ThrowsTransient()
    {
        _server.RejectRecipient("busy@example.com", "450 4.2.1 Mailbox busy, try later");

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request("busy@example.com"), CancellationToken.None));

        Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
    }

    [Test]
    public void SendAsync_Server421_ThrowsTransient()
    {
        _server.Reply("MAIL", "421 4.3.2 Service not available, closing transmission channel");

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("421"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public void SendAsync_SenderRefused550_ThrowsTransient_BecauseItIsOurSideNotTheRecipients()
    {
        _server.Reply("MAIL", "550 5.7.1 Sender not allowed");

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request(), CancellationToken.None));

        Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
    }

    [Test]
    public void SendAsync_ServerNeverGreets_ThrowsTransientTimeout()
    {
        _server.Silent = true;

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider(o => o.TimeoutSeconds = 1).SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("timeout"));
        });
    }

    [Test]
    public void SendAsync_CallerCancels_ThrowsOperationCanceled_NotAProviderFailure()
    {
        _server.Silent = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(async () => await Provider().SendAsync(Request(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void SendAsync_NothingListening_ThrowsTransient()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider(closedPort).SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public void SendAsync_MalformedRecipient_ThrowsPermanent_WithoutConnecting()
    {
        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request("not an address"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Permanent));
            Assert.That(_server.Received, Is.Empty);
        });
    }

    [Test]
    public void IsConfigured_HostAndFrom_IsTrue_WithoutHost_IsFalse()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Provider().IsConfigured, Is.True);
            Assert.That(Provider(o => o.Host = null).IsConfigured, Is.False);
            Assert.That(Provider().Name, Is.EqualTo("smtp"));
        });
    }
}
