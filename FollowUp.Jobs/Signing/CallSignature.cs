using System.Globalization;
using System.Text;
using NodaTime;

namespace FollowUp.Jobs.Signing;

/// <summary>
/// <c>X-FollowUp-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>, where hex is HMAC-SHA256 under the
/// client's webhook secret of <c>"{t}.{raw body}"</c>. Refused when more than <see cref="Tolerance"/>
/// away from now (either way: a replayed capture goes stale). Compared in constant time; several <c>v1</c>
/// values are allowed (a sender rotating secrets signs with both). The check is <see cref="TimestampedSignature"/>'s.
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
        return TimestampedSignature.Verify(header, "t", "v1", Duration.FromSeconds(1), now, body, (t, signed) => Hex(secret, t, signed));
    }

    // Signed: "{t}." then the raw body.
    private static string Hex(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        WebhookHmac.Hex(secret, Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "."), body);
}
