namespace FollowUp.Tests.Support;

/// <summary>One message as <see cref="SmtpTestServer"/> received it.</summary>
/// <param name="MailFrom">The envelope sender (MAIL FROM), without angle brackets.</param>
/// <param name="Recipients">The accepted envelope recipients (RCPT TO), without angle brackets.</param>
/// <param name="Data">The raw message after dot-unstuffing, lines joined by CRLF.</param>
/// <param name="AuthUser">The user name given in AUTH, or null.</param>
/// <param name="Tls">How the session was secured: "none", "starttls" or "implicit".</param>
/// <param name="Connection">Which connection (1, 2, …) carried it.</param>
public sealed record ReceivedMail(string MailFrom, IReadOnlyList<string> Recipients, string Data, string? AuthUser, string Tls = "none", int Connection = 0);
