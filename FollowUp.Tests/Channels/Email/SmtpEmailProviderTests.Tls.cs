using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Channels.Email;

/// <summary>TLS (STARTTLS, implicit, untrusted), connection reuse and what may have been sent.</summary>
public sealed partial class SmtpEmailProviderTests
{
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
    public async Task SendAsync_MarketingKindWithoutALink_CarriesTheMailtoFormOnly()
    {
        await Provider().SendAsync(Request() with { Marketing = true }, CancellationToken.None);

        var data = _server.Received.Single().Data;
        Assert.Multiple(() =>
        {
            Assert.That(MimeText.Header(data, "List-Unsubscribe"), Is.EqualTo("<mailto:hello@acme.example?subject=unsubscribe>"));
            Assert.That(MimeText.Header(data, "List-Unsubscribe-Post"), Is.Null, "RFC 8058: one-click only beside an https URI");
        });
    }

    [Test]
    public async Task SendAsync_MarketingKindWithALink_CarriesOneClickListUnsubscribe_ATransactionalOneNone()
    {
        var link = new Uri("https://followup.example/unsubscribe/" + new string('A', 180));
        var provider = Provider();

        await provider.SendAsync(Request() with { Marketing = true, UnsubscribeUrl = link }, CancellationToken.None);
        // A link on a transactional request is ignored: only marketing kinds offer to unsubscribe.
        await provider.SendAsync(Request() with { MessageId = "msg-43@followup.test", UnsubscribeUrl = link }, CancellationToken.None);

        var marketing = _server.Received[0].Data;
        var transactional = _server.Received[1].Data;
        Assert.Multiple(() =>
        {
            Assert.That(MimeText.Header(marketing, "List-Unsubscribe"), Is.EqualTo($"<{link.AbsoluteUri}>"));
            Assert.That(MimeText.Header(marketing, "List-Unsubscribe-Post"), Is.EqualTo("List-Unsubscribe=One-Click"));
            Assert.That(MimeText.Header(transactional, "List-Unsubscribe"), Is.Null);
            Assert.That(MimeText.Header(transactional, "List-Unsubscribe-Post"), Is.Null);
        });
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
}
