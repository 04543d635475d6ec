using NodaTime;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// What to look for at a provider before sending an SMS again whose earlier attempt may have reached it:
/// a message to the request's recipient from the sender it would use, with exactly this body,
/// created on or after <paramref name="Since"/>.
/// </summary>
/// <param name="Request">The request the attempt would send (recipient, sender, body).</param>
/// <param name="Since">When the message's first attempt began, less a margin for clock skew.</param>
public sealed record SmsLookup(SmsRequest Request, Instant Since);
