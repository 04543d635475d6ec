namespace FollowUp.Jobs.Channels.Sms;

/// <summary>One SMS to send.</summary>
/// <param name="To">E.164 recipient.</param>
/// <param name="From">E.164 sender number, or null to use the provider's configured sender / messaging service.</param>
/// <param name="Body">The text.</param>
/// <param name="StatusCallbackUrl">Where the provider reports delivery status, or null.</param>
/// <param name="MessageId">Our message's id (the webhook route's idempotency key), 0 when there is none.</param>
/// <param name="ClientId">The client sending it, when known.</param>
/// <param name="Kind">The message's kind, when known.</param>
public sealed record SmsRequest(string To, string? From, string Body, Uri? StatusCallbackUrl, long MessageId = 0, string? ClientId = null, string? Kind = null);

/// <summary>
/// An SMS provider. Throws <see cref="ProviderSendException"/> when the provider refuses or fails;
/// any other exception is a bug. Registered in DI, a provider joins its channel's chain: tried in configured order
/// (<see cref="ChannelOptions"/>), failed over on transient failures, rate-limited by its name.
/// </summary>
public interface ISmsProvider : IChannelProvider
{
    Task<ProviderReceipt> SendAsync(SmsRequest request, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="FindSentAsync"/> can ask this provider what it already has.</summary>
    bool CanLookUp => false;

    /// <summary>
    /// The message this provider already accepted for <paramref name="lookup"/>, or null when it has none.
    /// Providers that cannot be asked (<see cref="CanLookUp"/> false) answer null.
    /// </summary>
    /// <exception cref="ProviderSendException">The provider could not be asked (down, refused): nobody knows yet.</exception>
    Task<ProviderReceipt?> FindSentAsync(SmsLookup lookup, CancellationToken cancellationToken) => Task.FromResult<ProviderReceipt?>(null);

    /// <summary>
    /// For a provider that cannot be asked but reports every message it took in by a receipt naming our message
    /// (Vonage's <c>client-ref</c>): how long after a send that may have reached it the next attempt waits for that
    /// receipt before anything goes out again, through it or another provider. Null: no wait (the provider is
    /// asked, or it keeps an idempotency key).
    /// </summary>
    NodaTime.Duration? ReceiptWait => null;
}
