using SendGrid.Helpers.EventWebhook;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// SendGrid's signed event webhook, checked by SendGrid's own <see cref="RequestValidator"/> (ECDSA P-256,
/// SHA-256, over the timestamp header's text followed by the raw body). This adds only what the library
/// leaves to its caller: a missing or malformed header is a forged request (false), not an exception.
/// Whether the timestamp is recent enough (replay) is the endpoint's decision, made with its clock.
/// </summary>
public static class SendGridEventWebhook
{
    /// <summary>Header with the base64 DER signature.</summary>
    public const string SignatureHeader = RequestValidator.SIGNATURE_HEADER;

    /// <summary>The custom arg that carries our message id on every send, echoed in every event.</summary>
    public const string MessageIdArg = "followup_message_id";

    /// <summary>Header with the Unix-seconds timestamp that is signed with the body.</summary>
    public const string TimestampHeader = RequestValidator.TIMESTAMP_HEADER;

    /// <summary>The verification key, parsed once (base64 DER SubjectPublicKeyInfo, as SendGrid shows it).</summary>
    /// <exception cref="FormatException">The key is not a base64 ECDSA public key.</exception>
    public static EllipticCurve.PublicKey ParseKey(string publicKeyBase64)
    {
        try
        {
            return new RequestValidator().ConvertPublicKeyToECDSA(publicKeyBase64.Trim());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The library throws whatever its DER parser meets; one type for configuration errors.
            throw new FormatException($"not a base64 ECDSA public key ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }

    /// <summary>True when <paramref name="signature"/> signs <paramref name="timestamp"/> + <paramref name="body"/> under <paramref name="key"/>.</summary>
    /// <param name="key">From <see cref="ParseKey"/>.</param>
    /// <param name="signature">The <see cref="SignatureHeader"/> value.</param>
    /// <param name="timestamp">The <see cref="TimestampHeader"/> value, exactly as received.</param>
    /// <param name="body">The raw request body, before any JSON parsing (re-serialising breaks the signature).</param>
    public static bool Verify(EllipticCurve.PublicKey key, string? signature, string? timestamp, string body)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            return false;
        }

        try
        {
            return new RequestValidator().VerifySignature(key, body, signature, timestamp);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // Not base64, or not a DER signature: a forgery or garbage, either way not SendGrid.
            return false;
        }
    }
}
