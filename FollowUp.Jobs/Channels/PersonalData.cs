using System.Text.RegularExpressions;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// Masks recipients inside provider texts before they are logged. Providers' errors quote the number or
/// address they refused ("The 'To' number +15005550001 is not a valid phone number", "550 5.1.1
/// &lt;ana@example.com&gt;: Recipient address rejected"), and logs travel further and live longer than the
/// database: what is logged shows enough to recognise a recipient ("+1500…0001", "a…@example.com"), not
/// enough to harvest it. The full text stays on the message's row, which only staff see.
/// </summary>
internal static partial class PersonalData
{
    /// <summary><paramref name="text"/> with every email address and phone number in it masked.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var masked = Email().Replace(text, m => m.Value[..1] + "…" + m.Value[m.Value.IndexOf('@', StringComparison.Ordinal)..]);
        return Phone().Replace(masked, m =>
        {
            var digits = new string(m.Value.Where(char.IsAsciiDigit).ToArray());
            var plus = m.Value.StartsWith('+') ? "+" : "";
            return plus + digits[..4] + "…" + digits[^4..];
        });
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Email();

    // An E.164-looking number (+ and 8 to 15 digits, with the usual punctuation), or a bare run of 10 to 15
    // digits; shorter runs (Twilio's error codes, SMTP's 550) and dates are left alone.
    [GeneratedRegex(@"\+\d[\d ().\-]{6,20}\d|(?<![\d.])\d{10,15}(?![\d.])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Phone();
}
