using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// The one-click unsubscribe link (RFC 8058) a marketing email carries: <c>{PublicBaseUrl}/unsubscribe/{token}</c>,
/// where the token is the client id, the address, the channel (email) and an expiry, encrypted and
/// authenticated with ASP.NET Core Data Protection (the key ring every node shares, as for client
/// secrets). The token is the only authority the link needs: the mail provider POSTs it without a login,
/// so anyone who changes a byte of it, or mints one without the key ring, gets <see cref="UnsubscribeTokenStatus.Invalid"/>.
/// Encrypted rather than only signed, so the address does not travel in the URL in clear (proxies and
/// access logs see the link). Expiry is checked against <see cref="IClock"/>, not inside Data Protection,
/// so that it is testable and agrees with the rest of the product's time.
/// </summary>
public sealed class UnsubscribeLinks(IDataProtectionProvider provider, IOptions<PublicUrlOptions> urls, IOptions<UnsubscribeOptions> options, IClock clock)
{
    /// <summary>The path the link's token follows.</summary>
    public const string PathPrefix = "/unsubscribe/";

    // Versioned: a different payload later gets a different purpose, and old links stay readable under this one.
    private const string Purpose = "FollowUp.Email.Unsubscribe.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>
    /// The https link for <paramref name="address"/> at <paramref name="clientId"/>, or null when
    /// <c>FollowUp:PublicBaseUrl</c> is unset or not https (RFC 8058 requires an https URI; the mail
    /// then carries only the mailto form).
    /// </summary>
    public Uri? LinkFor(string clientId, string address)
    {
        if (!Uri.TryCreate(urls.Value.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme != Uri.UriSchemeHttps)
        {
            return null;
        }

        return new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + PathPrefix + Mint(clientId, address));
    }

    /// <summary>A token for <paramref name="address"/> at <paramref name="clientId"/>, valid for <see cref="UnsubscribeOptions.LinkLifetimeDays"/> from now.</summary>
    public string Mint(string clientId, string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var expires = clock.GetCurrentInstant() + Duration.FromDays(options.Value.LinkLifetimeDays);
        var payload = new Payload(clientId, address.Trim(), Channel.Email.Name, expires.ToUnixTimeSeconds());
        return Base64Url.EncodeToString(_protector.Protect(JsonSerializer.SerializeToUtf8Bytes(payload)));
    }

    /// <summary>What <paramref name="token"/> is; never throws for a bad token.</summary>
    public UnsubscribeToken Read(string? token)
    {
        // A Data Protection payload is well over 60 bytes; a link's token is far under 2,000 characters.
        if (string.IsNullOrEmpty(token) || token.Length is < 80 or > 2_000 || !Base64Url.IsValid(token.AsSpan()))
        {
            return UnsubscribeToken.Invalid;
        }

        Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<Payload>(_protector.Unprotect(Base64Url.DecodeFromChars(token.AsSpan())));
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or FormatException)
        {
            return UnsubscribeToken.Invalid;
        }

        if (payload is not { ClientId.Length: > 0, Address.Length: > 0 } || payload.Channel != Channel.Email.Name)
        {
            return UnsubscribeToken.Invalid;
        }

        var expires = Instant.FromUnixTimeSeconds(payload.ExpiresAt);
        var status = clock.GetCurrentInstant() < expires ? UnsubscribeTokenStatus.Valid : UnsubscribeTokenStatus.Expired;
        return new UnsubscribeToken(status, payload.ClientId, payload.Address, expires);
    }

    /// <summary>What the token carries, with short names: the link stays short.</summary>
    internal sealed record Payload(
        [property: JsonPropertyName("c")] string ClientId,
        [property: JsonPropertyName("a")] string Address,
        [property: JsonPropertyName("ch")] string Channel,
        [property: JsonPropertyName("exp")] long ExpiresAt);
}
