namespace FollowUp.Jobs.Clients;

/// <summary>
/// A client's own SMS webhook route: every SMS of the client is a signed POST to <see cref="Url"/> (its
/// automation: n8n, GoHighLevel, Zapier) instead of a carrier, and its delivery reports come back to
/// <c>POST /webhooks/route/{client_id}/status</c> signed with <see cref="Secret"/>. The secret is write-only
/// (stored encrypted, never returned; omitted on a replace, the stored one is kept).
/// </summary>
public sealed record SmsRouteSettings
{
    /// <summary>https, or http to a loopback address; its host must resolve to a public address when an SMS is sent.</summary>
    public required string Url { get; init; }

    /// <summary>At least 16 characters; required the first time a route is set.</summary>
    public string? Secret { get; init; }
}
