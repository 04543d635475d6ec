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
public sealed class SmtpEmailProviderTests
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
    public async Task SendAsync_StartTls_MessageTravelsInsideTls()
    {
        _server.RequireTls = true;

        await Provider().SendAsync(Request(), CancellationToken.None);

        Assert.That(_server.Received.Single().Tls, Is.EqualTo("starttls"));
    }

    [Test]
    public async Task SendAsync_SslOnConnectOnTheTlsPort_MessageTravelsInsideImplicitTls()
    {
        await Provider(_server.TlsPort, o => o.Security = SmtpSecurity.SslOnConnect).SendAsync(Request(), CancellationToken.None);

        Assert.That(_server.Received.Single().Tls, Is.EqualTo("implicit"));
    }

    [Test]
    public async Task SendAsync_StartTlsWithUser_AuthenticatesInsideTls()
    {
        await Provider(o => { o.User = "relay-user"; o.Password = "relay-pass"; }).SendAsync(Request(), CancellationToken.None);

        var mail = _server.Received.Single();
        Assert.Multiple(() =>
        {
            Assert.That(mail.AuthUser, Is.EqualTo("relay-user"));
            Assert.That(mail.Tls, Is.EqualTo("starttls"));
        });
    }

    [Test]
    public async Task SendAsync_LegacyEnableSslTrue_UsesStartTls()
    {
        await Provider(o => { o.Security = null; o.EnableSsl = true; }).SendAsync(Request(), CancellationToken.None);

        Assert.That(_server.Received.Single().Tls, Is.EqualTo("starttls"));
    }

    [Test]
    public async Task SendAsync_SecurityNone_SendsInPlainTextToALocalRelay()
    {
        await Provider(o => o.Security = SmtpSecurity.None).SendAsync(Request(), CancellationToken.None);

        Assert.That(_server.Received.Single().Tls, Is.EqualTo("none"));
    }

    [Test]
    public void SendAsync_CertificateNotTrusted_ThrowsTransientTlsAndSendsNothing()
    {
        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider(_server.Port, trust: false).SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("tls"));
            Assert.That(_server.Received, Is.Empty);
        });
    }

    [Test]
    public async Task SendAsync_ThreeMessages_ReuseOneConnection()
    {
        var provider = Provider();

        for (var i = 0; i < 3; i++)
        {
            await provider.SendAsync(Request() with { MessageId = $"m{i}@followup.test" }, CancellationToken.None);
        }

        Assert.Multiple(() =>
        {
            Assert.That(_server.Connections, Is.EqualTo(1));
            Assert.That(_server.Received.Select(m => m.Connection).Distinct().Count(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SendAsync_PoolSizeZero_ConnectsPerMessage()
    {
        var provider = Provider(o => o.PoolSize = 0);

        await provider.SendAsync(Request(), CancellationToken.None);
        await provider.SendAsync(Request(), CancellationToken.None);

        Assert.That(_server.Connections, Is.EqualTo(2));
    }

    [Test]
    public async Task SendAsync_ServerClosedThePooledConnection_ReconnectsAndSendsOnce()
    {
        var provider = Provider();
        await provider.SendAsync(Request(), CancellationToken.None);
        _server.CloseOpenConnections();

        var receipt = await provider.SendAsync(Request() with { MessageId = "second@followup.test" }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(receipt.ProviderMessageId, Is.EqualTo("second@followup.test"));
            Assert.That(_server.Received, Has.Count.EqualTo(2));
            Assert.That(_server.Connections, Is.EqualTo(2));
        });
    }

    [Test]
    public void SendAsync_ConnectionLostAfterData_ThrowsTransientThatMayHaveBeenSent()
    {
        _server.HangUpAfterData = true;

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => Provider().SendAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.MayHaveBeenSent, Is.True, "the server had the whole message when the connection dropped");
        });
    }

    [Test]
    public async Task SendAsync_MarketingKind_CarriesListUnsubscribe()
    {
        await Provider().SendAsync(Request() with { Marketing = true }, CancellationToken.None);

        Assert.That(MimeText.Header(_server.Received.Single().Data, "List-Unsubscribe"), Is.EqualTo("<mailto:hello@acme.example?subject=unsubscribe>"));
    }

    [Test]
    public async Task SendAsync_SubjectWithLineBreak_IsSentOnOneLine()
    {
        await Provider().SendAsync(Request() with { Subject = "Hello\r\nBcc: victim@example.com" }, CancellationToken.None);

        var data = _server.Received.Single().Data;
        Assert.Multiple(() =>
        {
            Assert.That(MimeText.Header(data, "Subject"), Is.EqualTo("Hello Bcc: victim@example.com"));
            Assert.That(MimeText.Header(data, "Bcc"), Is.Null);
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
