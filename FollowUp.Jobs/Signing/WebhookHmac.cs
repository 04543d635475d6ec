using System.Security.Cryptography;
using System.Text;

namespace FollowUp.Jobs.Signing;

/// <summary>
/// HMAC-SHA256 as webhook senders sign: over two pieces in order (a timestamp and the raw body, in
/// the order each sender documents), keyed by a UTF-8 secret, as lower-case hex. Fed incrementally,
/// so a 64 KiB body is not copied to sign it.
/// </summary>
internal static class WebhookHmac
{
    public static string Hex(string secret, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(first);
        hmac.AppendData(second);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }
}
