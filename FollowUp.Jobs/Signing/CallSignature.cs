using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace FollowUp.Jobs.Signing;

/// <summary>
/// <c>X-FollowUp-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>, where hex is HMAC-SHA256 under the
/// client's webhook secret of <c>"{t}.{raw body}"</c>. Refused when more than <see cref="Tolerance"/>
/// away from now (either way: a replayed capture goes stale). Compared in constant time.
/// </summary>
public static class CallSignature
{
    public const string Header = "X-FollowUp-Signature";

    public static readonly Duration Tolerance = Duration.FromSeconds(300);

    public static string Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return "t=" + unixSeconds.ToString(CultureInfo.InvariantCulture) + ",v1=" + Hex(secret, unixSeconds, body);
    }

    public static SignatureCheck Verify(string secret, string? header, ReadOnlySpan<byte> body, Instant now)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (string.IsNullOrWhiteSpace(header))
        {
            return SignatureCheck.Missing;
        }

        long? t = null;
        var candidates = new List<string>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return SignatureCheck.Malformed;
            }

            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                t = seconds;
            }
            else if (key == "v1")
            {
                candidates.Add(value); // several v1 values: a sender rotating secrets signs with both
            }
        }

        if (t is not { } timestamp || candidates.Count == 0)
        {
            return SignatureCheck.Malformed;
        }

        if (timestamp > Instant.MaxValue.ToUnixTimeSeconds()
            || Duration.FromSeconds(Math.Abs(now.ToUnixTimeSeconds() - timestamp)) > Tolerance)
        {
            return SignatureCheck.Expired;
        }

        var expected = Encoding.ASCII.GetBytes(Hex(secret, timestamp, body));
        foreach (var candidate in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate.ToLowerInvariant())))
            {
                return SignatureCheck.Valid;
            }
        }

        return SignatureCheck.Mismatch;
    }

    // Signed: "{t}." then the raw body.
    private static string Hex(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        WebhookHmac.Hex(secret, Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "."), body);
}
