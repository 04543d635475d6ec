namespace FollowUp.Jobs.Channels.Email;

/// <summary>How the SMTP connection is secured (<c>FollowUp:Smtp:Security</c>).</summary>
public enum SmtpSecurity
{
    /// <summary>MailKit decides: implicit TLS on port 465, else STARTTLS when the server offers it (plain text when it does not).</summary>
    Auto,

    /// <summary>STARTTLS after EHLO, required (submission, port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS: only for a trusted local relay.</summary>
    None,
}
