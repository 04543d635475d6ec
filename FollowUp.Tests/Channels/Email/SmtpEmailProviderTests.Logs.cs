using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Email;

/// <summary>What the provider logs about a failure: the server's words, with the recipient masked.</summary>
public sealed partial class SmtpEmailProviderTests
{
    [Test]
    public void SendAsync_RecipientRefusedQuotingTheAddress_LogsItMasked_TheFailureKeepsItForStaff()
    {
        _server.RejectRecipient("ana.diaz@example.com", "550 5.1.1 <ana.diaz@example.com>: Recipient address rejected");
        var logger = new LinesLogger();
        var options = Options.Create(new SmtpOptions
        {
            Host = "127.0.0.1", Port = _server.Port, Security = SmtpSecurity.StartTls, From = "hello@acme.example",
        });
        var pool = new SmtpConnectionPool(options, new SmtpServerCertificates { Validate = TestCertificate.Trust });
        _pools.Add(pool);

        var ex = Assert.ThrowsAsync<ProviderSendException>(() =>
            new SmtpEmailProvider(pool, options, logger).SendAsync(Request("ana.diaz@example.com"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(logger.Lines, Has.Some.Contains("<a…@example.com>: Recipient address rejected"));
            Assert.That(logger.Lines, Has.None.Contains("ana.diaz@example.com"));
            Assert.That(ex.Message, Does.Contain("ana.diaz@example.com"));
        });
    }

    private sealed class LinesLogger : ILogger<SmtpEmailProvider>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                // The rendered line and the exception as a sink writes it, both.
                Lines.Add(formatter(state, exception) + exception);
            }
        }
    }
}
