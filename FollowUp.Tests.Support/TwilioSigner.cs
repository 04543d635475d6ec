using System.Security.Cryptography;
using System.Text;

namespace FollowUp.Tests.Support;

/// <summary>
/// Twilio's side of a signed webhook, for tests that play Twilio: base64 HMAC-SHA1 (auth token) of the
/// URL followed by each form field's name and value, sorted by name — the scheme Twilio documents in
/// "Validating requests are coming from Twilio". Production verifies with Twilio's own RequestValidator.
/// </summary>
public static class TwilioSigner
{
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }

        // CA5350: SHA-1 is what Twilio's signature scheme is defined with.
#pragma warning disable CA5350
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }
}
