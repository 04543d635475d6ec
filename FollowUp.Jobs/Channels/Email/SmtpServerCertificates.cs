using System.Net.Security;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// How the SMTP server's TLS certificate is checked. Production leaves <see cref="Validate"/> null: the
/// system's trust store decides. Tests register one that trusts the self-signed certificate they made,
/// and nothing else; there is deliberately no configuration key for it.
/// </summary>
internal sealed class SmtpServerCertificates
{
    public RemoteCertificateValidationCallback? Validate { get; init; }
}
