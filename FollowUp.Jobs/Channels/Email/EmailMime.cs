using System.Net.Mail;
using MimeKit;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// An <see cref="EmailRequest"/> as a MIME message (MimeKit's <see cref="BodyBuilder"/>): text/plain,
/// and an HTML alternative when there is one; UTF-8 where the text needs it (RFC 2047 in the subject);
/// our Message-Id, so a bounce or reply matches the row; List-Unsubscribe (one-click when there is a link) on marketing kinds.
/// </summary>
internal static class EmailMime
{
    /// <summary>The message, or a <see cref="ProviderSendException"/> naming which address is wrong.</summary>
    public static MimeMessage Build(EmailRequest request, string? defaultFrom, string provider)
    {
        if (!MailboxAddress.TryParse(request.From ?? defaultFrom ?? "", out var from) || !MailAddress.TryCreate(from.Address, out _))
        {
            // Our sender, not the recipient, is wrong: another provider with its own sender may succeed.
            throw new ProviderSendException(provider, SendFailureKind.Transient, "Sender address is not valid", "from");
        }

        if (!Recipients.IsEmailAddress(request.To.Trim()) || !MailboxAddress.TryParse(request.To.Trim(), out var to))
        {
            throw new ProviderSendException(provider, SendFailureKind.Permanent, "Recipient address is not valid", "to");
        }

        var message = new MimeMessage { Subject = SingleLine(request.Subject), MessageId = request.MessageId };
        message.From.Add(from);
        message.To.Add(to);
        foreach (var (name, value) in ListUnsubscribe.Headers(request, from.Address))
        {
            message.Headers.Add(name, value);
        }

        message.Body = new BodyBuilder { TextBody = request.TextBody, HtmlBody = request.HtmlBody }.ToMessageBody();
        return message;
    }

    /// <summary>A header value on one line: CR and LF (header injection, or a fold the author never meant) become spaces.</summary>
    public static string SingleLine(string value) =>
        value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal)
            ? string.Join(' ', value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
            : value;
}
