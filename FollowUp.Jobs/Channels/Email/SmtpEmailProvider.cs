using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// Sends through an SMTP server with <see cref="SmtpClient"/> (STARTTLS when
/// <see cref="SmtpOptions.EnableSsl"/>; no implicit TLS on 465). One client per send: SmtpClient is not
/// safe for concurrent use, and a fresh connection costs little next to the server's own work.
/// </summary>
internal sealed class SmtpEmailProvider : IEmailProvider
{
    private readonly IOptions<SmtpOptions> _options;
    private readonly ILogger<SmtpEmailProvider> _logger;

    public SmtpEmailProvider(IOptions<SmtpOptions> options, ILogger<SmtpEmailProvider> logger)
    {
        _options = options;
        _logger = logger;
    }

    public string Name => "smtp";

    public bool IsConfigured => _options.Value.IsConfigured;

    public async Task<ProviderReceipt> SendAsync(EmailRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options.Value;
        using var message = BuildMessage(request, options);
        using var client = new SmtpClient(options.Host, options.Port)
        {
            EnableSsl = options.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            UseDefaultCredentials = false,
        };
        if (!string.IsNullOrEmpty(options.User))
        {
            client.Credentials = new NetworkCredential(options.User, options.Password);
        }

        // SmtpClient.Timeout governs the synchronous Send only; the async send is bounded here instead.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));

        // The password is deliberately absent from every log line.
        _logger.LogDebug("Sending {MessageId} via SMTP {Host}:{Port} (STARTTLS {EnableSsl}, user {User})",
            request.MessageId, options.Host, options.Port, options.EnableSsl, options.User ?? "(none)");
        try
        {
            await client.SendMailAsync(message, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(SendFailureKind.Transient, $"SMTP send timed out after {options.TimeoutSeconds} s", "timeout", null);
        }
        catch (SmtpFailedRecipientsException ex)
        {
            // Several recipients refused; we send to one, but classify by the first refusal all the same.
            var first = ex.InnerExceptions.Length > 0 ? ex.InnerExceptions[0] : ex;
            throw Classify(first);
        }
        catch (SmtpException ex)
        {
            throw Classify(ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            throw Fail(SendFailureKind.Transient, $"SMTP connection failed: {ex.Message}", "io", ex);
        }

        // Checkpoint: the server answered 250 to the end of DATA; the message is its responsibility now.
        return new ProviderReceipt(Name, request.MessageId, "accepted");
    }

    private MailMessage BuildMessage(EmailRequest request, SmtpOptions options)
    {
        MailAddress from;
        MailAddress to;
        try
        {
            from = new MailAddress(request.From ?? options.From ?? "");
        }
        catch (FormatException ex)
        {
            // Our sender, not the recipient, is wrong: another provider with its own sender may succeed.
            throw Fail(SendFailureKind.Transient, $"Sender address is not valid: {ex.Message}", "from", ex);
        }

        try
        {
            to = new MailAddress(request.To);
        }
        catch (FormatException ex)
        {
            throw Fail(SendFailureKind.Permanent, $"Recipient address is not valid: {ex.Message}", "to", ex);
        }

        var message = new MailMessage(from, to)
        {
            Subject = request.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            Body = request.TextBody,
            BodyEncoding = Encoding.UTF8,
            IsBodyHtml = false,
        };

        // Our id, so a bounce or a reply can be matched to the message row.
        message.Headers.Add("Message-ID", $"<{request.MessageId}>");
        if (request.HtmlBody is not null)
        {
            // With a plain Body and one alternate view, System.Net.Mail writes multipart/alternative:
            // text/plain first, then text/html (the last part is the one clients prefer).
            message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(request.HtmlBody, Encoding.UTF8, "text/html"));
        }

        return message;
    }

    /// <summary>
    /// Permanent only when the server refused the recipient with a 5xx (550 mailbox unavailable, 551 not
    /// local, 553 mailbox name not allowed, 501 bad address syntax, …). Everything else — 4xx, 421 service
    /// not available, a refused sender or failed AUTH (our configuration), connection loss — is transient:
    /// a retry or another provider may deliver it.
    /// </summary>
    private ProviderSendException Classify(SmtpException ex)
    {
        var code = (int)ex.StatusCode;
        var recipientRefused = ex is SmtpFailedRecipientException && code is >= 500 and < 600;
        var kind = recipientRefused ? SendFailureKind.Permanent : SendFailureKind.Transient;

        // MayHaveBeenSent stays false: SmtpClient does not say at which step it failed, so a connection
        // lost after the final "." (the one case where the server may have queued the mail) cannot be told
        // apart from one lost at the greeting. Any reply code it does give is a refusal of the transaction.
        var codeText = code > 0 ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "io";
        return Fail(kind, $"SMTP {codeText}: {ex.Message}", codeText, ex);
    }

    private ProviderSendException Fail(SendFailureKind kind, string message, string errorCode, Exception? inner)
    {
        _logger.LogWarning("SMTP send failed ({Kind}, {ErrorCode}): {Message}", kind, errorCode, message);
        return new ProviderSendException(Name, kind, message, errorCode, mayHaveBeenSent: false, innerException: inner);
    }
}
