using System.Security.Cryptography;
using System.Text;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// Validates Twilio's <c>X-Twilio-Signature</c> on its webhook requests (status callbacks, inbound
/// SMS): Base64(HMAC-SHA1(auth token, full URL + each POST parameter's name and value, sorted by
/// name)). The URL must be exactly the one Twilio called (scheme, host, port, path and query), so
/// behind a proxy build it from <c>FollowUp:PublicBaseUrl</c>, not from the request's Host header.
/// </summary>
public static class TwilioSignature
{
    /// <summary>The signature Twilio sends for a POST of <paramref name="form"/> to <paramref name="url"/>.</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(authToken);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(form);

        var data = new StringBuilder(url);
        // Ordinal: Twilio sorts by byte order of the names; a repeated name's values keep a stable
        // order by value so the same request always signs the same way.
        foreach (var (key, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }

        // CA5350: SHA-1 is what Twilio's signature scheme is defined with; we verify, we do not choose.
#pragma warning disable CA5350
        var hash = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>
    /// True when <paramref name="signature"/> (the header's value) matches; compared in fixed time so
    /// the comparison leaks nothing about the expected value. A missing or empty signature is invalid.
    /// </summary>
    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }

        var expected = Encoding.UTF8.GetBytes(Compute(authToken, url, form));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(signature));
    }
}
