namespace FollowUp.Jobs.Channels;

/// <summary>
/// One way a message travels (<see cref="Channel.Sms"/>, <see cref="Channel.Email"/>): it owns its
/// provider chain (order, failover, rate limits, the sandbox when nothing is configured), builds the
/// provider's request, and reckons segments and cost. The send job picks the channel by the message's
/// <see cref="Channel"/> and does nothing channel-specific itself; a new provider for a channel is a
/// registration of its provider interface, not a change here or in the sender.
/// </summary>
internal interface IMessageChannel
{
    Channel Channel { get; }

    /// <summary>
    /// The number whose zones decide a marketing message's recipient hours: an SMS's recipient, an
    /// email's customer number (null: the client's zone).
    /// </summary>
    string? RecipientPhone(OutgoingMessage message);

    /// <summary>
    /// Sends <paramref name="message"/> through the first provider that accepts it.
    /// <paramref name="onFailover"/> records each provider passed over.
    /// </summary>
    /// <exception cref="ProviderSendException">Every provider refused or failed; the last failure.</exception>
    Task<ChannelReceipt> SendAsync(OutgoingMessage message, Func<string, ProviderSendException, Task> onFailover, CancellationToken cancellationToken,
        IReadOnlySet<string>? skip = null);

    /// <summary>Its providers' names in the order they are tried.</summary>
    IReadOnlyList<string> Providers { get; }

    /// <summary>
    /// Before an attempt sends again a message whose earlier attempt (begun at <paramref name="since"/>)
    /// may have reached a provider: the copy a provider already accepted, or null when none is found or
    /// none of its providers can be asked (email: no provider offers a lookup, so email is at least once).
    /// </summary>
    /// <exception cref="ProviderSendException">A provider that can be asked could not answer.</exception>
    Task<ChannelReceipt?> FindSentAsync(OutgoingMessage message, NodaTime.Instant since, CancellationToken cancellationToken) =>
        Task.FromResult<ChannelReceipt?>(null);

    /// <summary>
    /// How long after a send that may have reached <paramref name="provider"/> (null: an unknown one of the
    /// message's providers, the longest of theirs) nothing may go out again for <paramref name="message"/>, because
    /// that provider cannot be asked and its receipt is the only proof (see <c>ISmsProvider.ReceiptWait</c>); null: no wait.
    /// </summary>
    NodaTime.Duration? ReceiptWait(OutgoingMessage message, string? provider) => null;
}
