using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FollowUp.Jobs.Signing;
using NodaTime;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// Vonage's signed webhooks (its "Signing Messages" guide): every parameter but <c>sig</c>, sorted by name,
/// each value with <c>&amp;</c> and <c>=</c> replaced by <c>_</c>, joined as <c>&amp;name=value…</c>; then with
/// <c>md5hash</c> the MD5 of that string followed by the signature secret, or with an HMAC method (md5, sha1,
/// sha256, sha512) the HMAC of the string keyed by the secret, as hex. The signed parameters carry Vonage's
/// <c>timestamp</c> (unix seconds), refused when more than <see cref="CallSignature.Tolerance"/> from now either
/// way, so a captured receipt cannot be replayed later. Compared in constant time, hex in any case.
/// </summary>
public static class VonageSignature
{
    public const string Md5Hash = "md5hash";
    public const string Md5 = "md5";
    public const string Sha1 = "sha1";
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    /// <summary>The parameter that carries the signature.</summary>
    public const string SigParameter = "sig";

    /// <summary>The signed parameter that carries when Vonage signed it.</summary>
    public const string TimestampParameter = "timestamp";

    public static IReadOnlyList<string> Methods { get; } = [Md5Hash, Md5, Sha1, Sha256, Sha512];

    /// <summary>The signature of <paramref name="parameters"/> (any <c>sig</c> among them is left out), lower-case hex.</summary>
    public static string Compute(string secret, string method, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(parameters);
        var signed = new StringBuilder();
        foreach (var (name, value) in parameters.Where(p => p.Key != SigParameter).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            signed.Append('&').Append(name).Append('=').Append(value.Replace('&', '_').Replace('=', '_'));
        }

        var text = Encoding.UTF8.GetBytes(signed.ToString());
        var key = Encoding.UTF8.GetBytes(secret);
        // CA5350/CA5351: MD5 and SHA-1 are Vonage's to choose, not ours: an account signing with them is
        // verified with them (the dashboard offers SHA-256 and SHA-512, which the docs recommend).
#pragma warning disable CA5350, CA5351
        var hash = method switch
        {
            Md5Hash => MD5.HashData(text.Concat(key).ToArray()),
            Md5 => HMACMD5.HashData(key, text),
            Sha1 => HMACSHA1.HashData(key, text),
            Sha256 => HMACSHA256.HashData(key, text),
            Sha512 => HMACSHA512.HashData(key, text),
            _ => throw new ArgumentException($"'{method}' is not a Vonage signature method.", nameof(method)),
        };
#pragma warning restore CA5350, CA5351
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Whether <paramref name="parameters"/> (a receipt's query, form or JSON fields) are signed with
    /// <paramref name="secret"/>: <see cref="SignatureCheck.Missing"/> without <c>sig</c> or <c>timestamp</c>,
    /// <see cref="SignatureCheck.Malformed"/> when the timestamp is no number, <see cref="SignatureCheck.Expired"/>
    /// outside the window, <see cref="SignatureCheck.Mismatch"/> when the digest differs.
    /// </summary>
    public static SignatureCheck Verify(string secret, string method, IReadOnlyDictionary<string, string> parameters, Instant now)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.TryGetValue(SigParameter, out var sig) || sig.Length == 0
            || !parameters.TryGetValue(TimestampParameter, out var timestamp) || timestamp.Length == 0)
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > Instant.MaxValue.ToUnixTimeSeconds())
        {
            return SignatureCheck.Malformed;
        }

        if (Duration.FromSeconds(Math.Abs(now.ToUnixTimeSeconds() - seconds)) > CallSignature.Tolerance)
        {
            return SignatureCheck.Expired;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, method, parameters));
        var given = Encoding.ASCII.GetBytes(sig.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }
}
