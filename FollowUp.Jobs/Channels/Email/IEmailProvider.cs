namespace FollowUp.Jobs.Channels.Email;

/// <summary>One email to send.</summary>
/// <param name="To">Recipient address.</param>
/// <param name="From">Sender, "Name &lt;address&gt;" or a bare address; null uses the provider's configured sender.</param>
/// <param name="Subject">Subject line.</param>
/// <param name="TextBody">Plain-text body (always sent).</param>
/// <param name="HtmlBody">HTML alternative, or null.</param>
/// <param name="MessageId">Our Message-ID for the mail (without angle brackets), kept on the message row.</param>
/// <param name="Category">The message's kind (<c>reminder_24h</c>, …): a SendGrid category, for reports.</param>
/// <param name="Marketing">A marketing kind: the mail carries List-Unsubscribe (<see cref="ListUnsubscribe"/>).</param>
/// <param name="UnsubscribeUrl">A marketing mail's one-click link (<see cref="UnsubscribeLinks"/>), or null: then only the mailto form.</param>
public sealed record EmailRequest(string To, string? From, string Subject, string TextBody, string? HtmlBody, string MessageId,
    string? Category = null, bool Marketing = false, Uri? UnsubscribeUrl = null);

/// <summary>
/// An email provider. Throws <see cref="ProviderSendException"/> when the provider refuses or fails;
/// any other exception is a bug. Registered in DI, a provider joins its channel's chain: tried in configured order
/// (<see cref="ChannelOptions"/>), failed over on transient failures, rate-limited by its name.
/// </summary>
public interface IEmailProvider : IChannelProvider
{
    Task<ProviderReceipt> SendAsync(EmailRequest request, CancellationToken cancellationToken);
}
