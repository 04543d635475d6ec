namespace FollowUp.Jobs.Channels;

/// <summary>A message a channel's provider accepted, with what the channel reckons it cost.</summary>
/// <param name="Receipt">The provider's answer.</param>
/// <param name="EmailMessageId">An email's Message-ID (ours, kept on the row so bounces and replies match); null for SMS.</param>
/// <param name="Segments">SMS segments: the provider's count when it reports one, else ours; null for email.</param>
/// <param name="Cost">The provider's price when it reports one, else the configured estimate (zero for the sandbox).</param>
/// <param name="Currency">ISO 4217 code of <paramref name="Cost"/>.</param>
internal sealed record ChannelReceipt(ProviderReceipt Receipt, string? EmailMessageId, int? Segments, decimal Cost, string Currency);
