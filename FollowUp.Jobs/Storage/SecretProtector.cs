using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// Encrypts the secrets a client gives us (its webhook secret — for Retell, the customer's Retell API
/// key — and its notification secret) with ASP.NET Core Data Protection before they are stored, and
/// decrypts them when a signature is checked or made. Stored values read <c>dp1:</c> + base64url of
/// the protected bytes; the key ring is shared by every node (<c>data_protection_keys</c>). A value
/// without the prefix is one stored before encryption: it is used as it is until the start-up step
/// (<c>Clients.SecretEncryptionStep</c>) encrypts it. Never log either form.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    /// <summary>What every encrypted value starts with (the scheme's version).</summary>
    public const string Prefix = "dp1:";

    // Part of every stored value's protection: changing it (even to follow this type's namespace) would
    // make every stored secret unreadable.
    private const string Purpose = "FollowUp.Clients.Secrets";

    private readonly IPersistedDataProtector _protector = (IPersistedDataProtector)provider.CreateProtector(Purpose);

    /// <summary>Whether <paramref name="stored"/> is an encrypted value (as opposed to a legacy plaintext one).</summary>
    public static bool IsProtected(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The value to store for <paramref name="secret"/>, encrypted with the current key.</summary>
    public string Protect(string secret) =>
        Prefix + Base64Url.EncodeToString(_protector.Protect(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The secret <paramref name="stored"/> holds.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The value was tampered with, or its key is not in the ring.</exception>
    public string Reveal(string stored) => Reveal(stored, out _);

    /// <summary>
    /// The secret <paramref name="stored"/> holds; <paramref name="needsReencryption"/> is true when it
    /// is plaintext or encrypted with a key that is no longer the current one (rotation).
    /// </summary>
    public string Reveal(string stored, out bool needsReencryption)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!IsProtected(stored))
        {
            needsReencryption = true;
            return stored;
        }

        var bytes = _protector.DangerousUnprotect(Base64Url.DecodeFromChars(stored.AsSpan(Prefix.Length)),
            ignoreRevocationErrors: false, out needsReencryption, out _);
        return Encoding.UTF8.GetString(bytes);
    }
}
