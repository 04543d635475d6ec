namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// Counts the segments (billable SMS parts) of a body before it is sent, the way carriers and Twilio
/// count them. A body made only of the GSM 03.38 default alphabet and its extension table travels as
/// GSM-7: 160 septets fit in one SMS; a longer body is split into parts of 153 septets (7 go to the
/// concatenation header), and an extension character (<c>^{}\[~]|€</c> and form feed) costs two septets.
/// Any other character switches the whole body to UCS-2: 70 UTF-16 code units alone, 67 per part, and a
/// character outside the Basic Multilingual Plane (most emoji) costs two code units.
/// </summary>
/// <remarks>
/// An escape sequence (extension character) or a surrogate pair is never split across two parts —
/// encoders move it whole to the next part — so a concatenated body can need one part more than the
/// plain division suggests. An empty body is one segment: it is still one SMS on the wire.
/// The provider's own count (in its receipt) is authoritative for cost; this one is for planning.
/// </remarks>
public static class SmsSegments
{
    private const int Gsm7Single = 160;
    private const int Gsm7Part = 153;
    private const int Ucs2Single = 70;
    private const int Ucs2Part = 67;

    // GSM 03.38 default alphabet (the 128 characters of the basic table, ESC excluded) and the
    // characters of its extension table, each sent as ESC + one septet.
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "\f^{}\\[~]|€";

    private static readonly HashSet<char> BasicSet = [.. Basic];
    private static readonly HashSet<char> ExtensionSet = [.. Extension];

    /// <summary>The encoding <paramref name="body"/> will be sent in: GSM-7 when every character is in the GSM alphabet, else UCS-2.</summary>
    public static SmsEncoding Encoding(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        foreach (var c in body)
        {
            if (!BasicSet.Contains(c) && !ExtensionSet.Contains(c))
            {
                return SmsEncoding.Ucs2;
            }
        }

        return SmsEncoding.Gsm7;
    }

    /// <summary>How many segments <paramref name="body"/> takes (at least 1).</summary>
    public static int Count(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Encoding(body) == SmsEncoding.Gsm7
            ? Pack(body, Gsm7Single, Gsm7Part, static (s, i) => ExtensionSet.Contains(s[i]) ? 2 : 1)
            : Pack(body, Ucs2Single, Ucs2Part, static (s, i) => char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1);
    }

    /// <summary>
    /// Fills parts greedily. <paramref name="cost"/> gives the units the character at an index takes;
    /// for a surrogate pair it is 2 and the low surrogate is skipped.
    /// </summary>
    private static int Pack(string body, int single, int part, Func<string, int, int> cost)
    {
        var total = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var units = cost(body, i);
            total += units;
            if (units == 2 && char.IsHighSurrogate(body[i]))
            {
                i++;
            }
        }

        if (total <= single)
        {
            return 1;
        }

        var parts = 1;
        var used = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var units = cost(body, i);
            if (used + units > part)
            {
                parts++;
                used = 0;
            }

            used += units;
            if (units == 2 && char.IsHighSurrogate(body[i]))
            {
                i++;
            }
        }

        return parts;
    }
}
