using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Email;

/// <summary>The pool's slots: every failure gives its slot back, and waiting for one is bounded.</summary>
public sealed partial class SmtpEmailProviderTests
{
    [Test]
    public async Task SendAsync_530ToMailFrom_IsTransientAndGivesItsPoolSlotBack()
    {
        // PoolSize 1: a leaked slot would leave the next send waiting for good (bounded here by the token).
        var provider = Provider(o => o.PoolSize = 1);
        _server.Reply("MAIL", "530 5.7.0 Authentication required");

        var ex = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), CancellationToken.None));
        var again = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), CancellationToken.None));

        _server.ClearReply("MAIL");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var receipt = await provider.SendAsync(Request(), bound.Token);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("auth"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
            Assert.That(again.ErrorCode, Is.EqualTo("auth"));
            Assert.That(receipt.ProviderMessageId, Is.EqualTo("msg-42@followup.test"));
            Assert.That(_server.Received, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task SendAsync_EveryPoolSlotHeld_GivesUpAfterPoolWaitSecondsAsTransientNothingSent()
    {
        var settings = new SmtpOptions
        {
            Host = "127.0.0.1", Port = _server.Port, Security = SmtpSecurity.StartTls, From = "hello@acme.example",
            PoolSize = 1, PoolWaitSeconds = 1,
        };
        var options = Options.Create(settings);
        var pool = new SmtpConnectionPool(options, new SmtpServerCertificates { Validate = TestCertificate.Trust });
        _pools.Add(pool);
        var provider = new SmtpEmailProvider(pool, options, NullLogger<SmtpEmailProvider>.Instance);
        var (held, _) = await pool.RentAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var ex = Assert.ThrowsAsync<ProviderSendException>(() => provider.SendAsync(Request(), bound.Token));
        await pool.ReturnAsync(held, healthy: true);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("pool"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
            Assert.That(bound.IsCancellationRequested, Is.False, "gave up on its own, not because the test's bound ran out");
            Assert.That(_server.Received, Is.Empty);
        });
    }
}
