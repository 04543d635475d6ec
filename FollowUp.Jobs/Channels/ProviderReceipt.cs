namespace FollowUp.Jobs.Channels;

/// <summary>What a provider said when it accepted a message.</summary>
/// <param name="Provider">The provider's name (<c>twilio</c>, <c>smtp</c>, <c>sendgrid</c>, <c>sandbox</c>).</param>
/// <param name="ProviderMessageId">Its id for the message (Twilio SID, SendGrid X-Message-Id, our SMTP Message-ID).</param>
/// <param name="Status">Its status word at acceptance (Twilio: queued/accepted/sent; email: accepted).</param>
/// <param name="Segments">SMS segments as the provider counted them, when reported.</param>
/// <param name="Price">The price the provider reported (positive number), when reported.</param>
/// <param name="PriceCurrency">ISO 4217 currency of <paramref name="Price"/>.</param>
public sealed record ProviderReceipt(
    string Provider, string ProviderMessageId, string Status,
    int? Segments = null, decimal? Price = null, string? PriceCurrency = null);
