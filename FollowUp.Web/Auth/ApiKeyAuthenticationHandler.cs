using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the configured API keys, comparing in
/// constant time. The key itself is never logged; the identity is "api-key-N" (its index).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>
    /// A SHA-256 of the presented key (hex): what scopes per-key state (Idempotency-Key replies) to the
    /// key itself, not to its index, which changes when keys are rotated. Never the key.
    /// </summary>
    public const string KeyHashClaim = "followup:api_key_sha256";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var configured = keys.Value.Keys;
        var match = -1;
        for (var i = 0; i < configured.Count; i++)
        {
            // Every key is compared, so the time taken does not tell which one (or how much) matched.
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(configured[i])) && match < 0)
            {
                match = i;
            }
        }

        if (match < 0)
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid API key"));
        }

        var identity = new ClaimsIdentity([
            new Claim(ClaimTypes.Name, $"api-key-{match}"),
            new Claim(KeyHashClaim, Convert.ToHexStringLower(SHA256.HashData(presented))),
        ], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Response.WriteAsJsonAsync(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            title = "Unauthorized",
            status = 401,
            detail = "Send a valid API key as 'Authorization: Bearer <key>'.",
        }, options: null, contentType: "application/problem+json");
    }
}
