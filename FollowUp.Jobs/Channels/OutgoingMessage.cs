namespace FollowUp.Jobs.Channels;

/// <summary>What a channel needs to send one message: the stored message and its client's senders.</summary>
/// <param name="Id">The message's id (an email's Message-ID is built from it).</param>
/// <param name="ClientId">The client sending it (a marketing email's unsubscribe link names it).</param>
/// <param name="Kind">Its kind (<c>reminder_24h</c>, …), a category for providers' reports.</param>
/// <param name="Marketing">A marketing kind (an email carries List-Unsubscribe).</param>
/// <param name="Recipient">E.164 number or email address, as stored.</param>
/// <param name="CustomerPhone">The customer's number of a planned message, when known.</param>
/// <param name="Subject">An email's subject; null for SMS.</param>
/// <param name="Body">The text.</param>
/// <param name="SmsFrom">The client's SMS sender, or null for the provider's default.</param>
/// <param name="EmailFrom">The client's email sender, or null for the provider's default.</param>
/// <param name="SmsProviders">The client's own SMS provider order, or null for the global one.</param>
/// <param name="SmsRouteUrl">The client's own SMS webhook route, or null: when set, every SMS of the client goes through it alone.</param>
/// <param name="SmsRouteSecret">That route's secret as stored (encrypted); the channel reveals it to sign.</param>
internal sealed record OutgoingMessage(
    long Id, string ClientId, string Kind, bool Marketing, string Recipient, string? CustomerPhone, string? Subject, string Body,
    string? SmsFrom, string? EmailFrom, IReadOnlyList<string>? SmsProviders = null, string? SmsRouteUrl = null, string? SmsRouteSecret = null);
