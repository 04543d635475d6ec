using NodaTime;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>An unsubscribe link's token, read (<see cref="UnsubscribeLinks.Read"/>).</summary>
/// <param name="Status">Whether the token may be acted on.</param>
/// <param name="ClientId">The client whose email carried the link; null when <see cref="UnsubscribeTokenStatus.Invalid"/>.</param>
/// <param name="Address">The recipient's address; null when <see cref="UnsubscribeTokenStatus.Invalid"/>.</param>
/// <param name="ExpiresAt">When the link stops working; null when <see cref="UnsubscribeTokenStatus.Invalid"/>.</param>
public sealed record UnsubscribeToken(UnsubscribeTokenStatus Status, string? ClientId, string? Address, Instant? ExpiresAt)
{
    internal static readonly UnsubscribeToken Invalid = new(UnsubscribeTokenStatus.Invalid, null, null, null);
}
