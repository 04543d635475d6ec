namespace FollowUp.Jobs.Clients;

/// <summary>
/// The business's own webhook: FollowUp POSTs signed events to <see cref="Url"/> (docs/WEBHOOKS.md,
/// "Business notifications"). <see cref="Secret"/> is write-only, like the client's webhook secret:
/// stored, used to sign, never returned; omitted on a replace, the stored one is kept.
/// </summary>
public sealed record NotificationSettings
{
    /// <summary>https, or http to a loopback address (a receiver on the same machine).</summary>
    public required string Url { get; init; }

    /// <summary>At least 16 characters; required the first time a URL is set.</summary>
    public string? Secret { get; init; }

    /// <summary>The event types to send; null or absent means every type (<see cref="Notifications.NotificationTypes.All"/>).</summary>
    public IReadOnlyList<string>? Events { get; init; }
}
