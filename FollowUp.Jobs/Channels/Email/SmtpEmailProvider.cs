using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// Sends through an SMTP server with MailKit (STARTTLS, implicit TLS or none: <see cref="SmtpOptions.Security"/>),
/// on connections kept by <see cref="SmtpConnectionPool"/>. Failures are classified from MailKit's
/// exceptions, and MailKit's progress report tells whether the server had accepted DATA when one came.
/// </summary>
internal sealed class SmtpEmailProvider(SmtpConnectionPool pool, IOptions<SmtpOptions> options, ILogger<SmtpEmailProvider> logger) : IEmailProvider
{
    public string Name => "smtp";

    public bool IsConfigured => options.Value.IsConfigured;

    public async Task<ProviderReceipt> SendAsync(EmailRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        using var message = EmailMime.Build(request, settings.From, Name);
        var limit = TimeSpan.FromSeconds(settings.TimeoutSeconds);

        // The password is deliberately absent from every log line.
        logger.LogDebug("Sending {MessageId} via SMTP {Host}:{Port} ({Security}, user {User})",
            request.MessageId, settings.Host, settings.Port, settings.EffectiveSecurity, settings.User ?? "(none)");

        SmtpClient client;
        bool reused;
        try
        {
            (client, reused) = await pool.RentAsync(limit, cancellationToken);
        }
        catch (Exception ex) when (IsMailFailure(ex))
        {
            throw Classify(ex, new DataProgress(), cancellationToken);
        }

        var progress = new DataProgress();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        var healthy = false;
        try
        {
            try
            {
                await client.SendAsync(message, timeout.Token, progress);
            }
            catch (Exception ex) when (reused && !progress.Started && IsDeadConnection(ex) && !timeout.IsCancellationRequested)
            {
                // The server closed the pooled connection while it was idle (ServiceNotConnected, or a
                // reset at MAIL FROM): nothing of this message went out on it, so send on a new one.
                logger.LogDebug(ex, "Pooled SMTP connection was closed by the server; reconnecting");
                client = await pool.ReplaceAsync(client, timeout.Token);
                await client.SendAsync(message, timeout.Token, progress);
            }

            // Checkpoint: the server answered 250 to the end of DATA; the message is its responsibility now.
            healthy = true;
        }
        catch (Exception ex) when (IsMailFailure(ex))
        {
            throw Classify(ex, progress, cancellationToken);
        }
        finally
        {
            // Whatever was thrown — including exceptions no classification foresaw — the slot goes back,
            // or after PoolSize of them every email send would wait for a slot forever.
            await pool.ReturnAsync(client, healthy);
        }

        return new ProviderReceipt(Name, request.MessageId, "accepted");
    }

    private static bool IsDeadConnection(Exception ex) =>
        ex is ServiceNotConnectedException or IOException or SocketException or SmtpProtocolException;

    private static bool IsMailFailure(Exception ex) =>
        ex is OperationCanceledException or TimeoutException or SmtpCommandException or ProtocolException or IOException or SocketException
            or ServiceNotConnectedException or ServiceNotAuthenticatedException or AuthenticationException or SslHandshakeException
            or SmtpPoolBusyException;

    /// <summary>
    /// Permanent only when the server refused the recipient with a 5xx (550 mailbox unavailable, 551 not
    /// local, 553 mailbox name not allowed, …). Everything else — 4xx, 421, a refused sender, failed AUTH
    /// or TLS (our configuration), a protocol or socket error, a timeout — is transient. A failure after
    /// the server accepted DATA and the message was streaming may have been delivered: said so, and the
    /// channel then leaves it to the retry instead of another provider.
    /// </summary>
    private ProviderSendException Classify(Exception ex, DataProgress progress, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Our own shutdown or lease loss, not the server's fault: the caller sees it as such.
            throw new OperationCanceledException(cancellationToken);
        }

        var afterData = progress.Started;
        return ex switch
        {
            OperationCanceledException or TimeoutException => Fail(SendFailureKind.Transient,
                $"SMTP send timed out after {options.Value.TimeoutSeconds} s{(afterData ? " while sending the message data" : "")}", "timeout", afterData, ex),
            SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } c when (int)c.StatusCode is >= 500 and < 600 =>
                Fail(SendFailureKind.Permanent, $"SMTP {(int)c.StatusCode}: {c.Message}", Code(c), false, ex),
            // A reply to the final "." is the server's answer for the whole message: a refusal, not a maybe.
            SmtpCommandException c => Fail(SendFailureKind.Transient, $"SMTP {(int)c.StatusCode}: {c.Message}", Code(c), false, ex),
            AuthenticationException => Fail(SendFailureKind.Transient, $"SMTP authentication failed: {ex.Message}", "auth", false, ex),
            // A 530 to MAIL FROM: the server wants AUTH (our configuration); nothing of the message was accepted.
            ServiceNotAuthenticatedException => Fail(SendFailureKind.Transient, $"SMTP server requires authentication: {ex.Message}", "auth", false, ex),
            SmtpPoolBusyException => Fail(SendFailureKind.Transient, ex.Message, "pool", false, ex),
            SslHandshakeException => Fail(SendFailureKind.Transient, $"SMTP TLS handshake failed: {ex.Message}", "tls", false, ex),
            _ => Fail(SendFailureKind.Transient,
                $"SMTP connection failed{(afterData ? " after the server accepted DATA" : "")}: {ex.Message}", "io", afterData, ex),
        };
    }

    private static string Code(SmtpCommandException ex) => ((int)ex.StatusCode).ToString(CultureInfo.InvariantCulture);

    private ProviderSendException Fail(SendFailureKind kind, string message, string errorCode, bool mayHaveBeenSent, Exception? inner)
    {
        logger.LogWarning("SMTP send failed ({Kind}, {ErrorCode}, may have been sent: {MayHaveBeenSent}): {Message}",
            kind, errorCode, mayHaveBeenSent, PersonalData.Redact(message));
        return new ProviderSendException(Name, kind, message, errorCode, mayHaveBeenSent, inner);
    }

    /// <summary>MailKit reports progress only while it streams the message, that is after the server's 354 to DATA.</summary>
    private sealed class DataProgress : ITransferProgress
    {
        private int _started;

        public bool Started => Volatile.Read(ref _started) == 1;

        public void Report(long bytesTransferred, long totalSize) => Volatile.Write(ref _started, 1);

        public void Report(long bytesTransferred) => Volatile.Write(ref _started, 1);
    }
}
