using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace FollowUp.Jobs.Signing;

/// <summary>
/// The check every timestamped HMAC webhook signature shares, whatever its sender calls the parts:
/// a header of comma-separated <c>key=value</c> parts with one timestamp (a decimal count of
/// <c>unit</c>s since the Unix epoch) and one or more hex digests. Refused when a part has no key, the
/// timestamp or digest is missing, the timestamp is more than <see cref="CallSignature.Tolerance"/> from
/// now (either way: a replayed capture goes stale), or no digest matches; digests are compared in
/// constant time. Several digests are allowed because a sender rotating secrets signs with both.
/// </summary>
internal static class TimestampedSignature
{
    /// <summary>The digest a sender computes for <paramref name="timestamp"/> and <paramref name="body"/>.</summary>
    public delegate string ExpectedHex(long timestamp, ReadOnlySpan<byte> body);

    /// <param name="header">The signature header as received, or null.</param>
    /// <param name="timestampKey">The timestamp part's key (<c>t</c>, Retell's <c>v</c>).</param>
    /// <param name="digestKey">The digest part's key (<c>v1</c>, Retell's <c>d</c>).</param>
    /// <param name="unit">What the timestamp counts: one second, or one millisecond.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="body">The raw body, handed to <paramref name="expectedHex"/> (never copied).</param>
    /// <param name="expectedHex">The lower-case hex digest the sender should have sent for a timestamp and the body.</param>
    public static SignatureCheck Verify(string? header, string timestampKey, string digestKey, Duration unit, Instant now,
        ReadOnlySpan<byte> body, ExpectedHex expectedHex)
    {
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
            if (key == timestampKey && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                t = count;
            }
            else if (key == digestKey)
            {
                candidates.Add(value);
            }
        }

        if (t is not { } timestamp || candidates.Count == 0)
        {
            return SignatureCheck.Malformed;
        }

        var unitTicks = unit.BclCompatibleTicks;
        if (timestamp > Instant.MaxValue.ToUnixTimeTicks() / unitTicks
            || Duration.FromTicks(Math.Abs(now.ToUnixTimeTicks() / unitTicks - timestamp) * unitTicks) > CallSignature.Tolerance)
        {
            return SignatureCheck.Expired;
        }

        var expected = Encoding.ASCII.GetBytes(expectedHex(timestamp, body));
        foreach (var candidate in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate.ToLowerInvariant())))
            {
                return SignatureCheck.Valid;
            }
        }

        return SignatureCheck.Mismatch;
    }
}
