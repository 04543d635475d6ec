using System.Security.Cryptography;
using System.Text;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// Verifies SendGrid's signed event webhook: the signature header holds a base64 DER ECDSA signature,
/// made with SHA-256 on P-256, over the timestamp header's text followed by the raw request body bytes.
/// Only the signature is checked here; whether the timestamp is recent enough (replay) is the endpoint's
/// decision, made with its injected clock.
/// </summary>
public static class SendGridEventSignature
{
    /// <summary>Header with the base64 DER signature.</summary>
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";

    /// <summary>Header with the Unix-seconds timestamp that is signed with the body.</summary>
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    // OID of NIST P-256 (secp256r1), the only curve SendGrid signs with.
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>
    /// True when <paramref name="signatureBase64"/> is a valid signature of <paramref name="timestamp"/>
    /// + <paramref name="body"/> under <paramref name="publicKeyBase64"/>. Missing or malformed request
    /// values give false; a malformed key (configuration) throws, so it is not mistaken for a forged request.
    /// </summary>
    /// <param name="publicKeyBase64">Base64 DER SubjectPublicKeyInfo of the P-256 verification key.</param>
    /// <param name="signatureBase64">The <see cref="SignatureHeader"/> value.</param>
    /// <param name="timestamp">The <see cref="TimestampHeader"/> value, exactly as received.</param>
    /// <param name="body">The raw request body, before any JSON parsing (re-serialising breaks the signature).</param>
    /// <exception cref="FormatException">The key is not base64.</exception>
    /// <exception cref="CryptographicException">The key is not an ECDSA P-256 public key.</exception>
    public static bool Verify(string publicKeyBase64, string? signatureBase64, string? timestamp, ReadOnlySpan<byte> body)
    {
        using var key = ImportPublicKey(publicKeyBase64);
        if (string.IsNullOrEmpty(signatureBase64) || string.IsNullOrEmpty(timestamp))
        {
            return false;
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(signatureBase64);
        }
        catch (FormatException)
        {
            return false;
        }

        var timestampLength = Encoding.UTF8.GetByteCount(timestamp);
        var signed = new byte[timestampLength + body.Length];
        Encoding.UTF8.GetBytes(timestamp, signed);
        body.CopyTo(signed.AsSpan(timestampLength));
        return key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Imports a base64 DER SubjectPublicKeyInfo and insists on P-256.</summary>
    internal static ECDsa ImportPublicKey(string publicKeyBase64)
    {
        var der = Convert.FromBase64String(publicKeyBase64.Trim());
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
            {
                throw new CryptographicException("Trailing bytes after the public key.");
            }

            if (key.ExportParameters(false).Curve.Oid.Value != P256Oid)
            {
                throw new CryptographicException("The key is not on curve P-256.");
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
