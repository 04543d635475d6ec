namespace FollowUp.Jobs.Conversations;

/// <summary>
/// An SMS a customer sent to one of our numbers, as the provider reported it (numbers already in E.164).
/// <paramref name="ViaDefaultService"/>: it came through the provider's default Messaging Service, whose
/// pool numbers no client names.
/// </summary>
public sealed record InboundSms(string Provider, string? ProviderId, string From, string To, string Body, string? DefaultFrom,
    bool ViaDefaultService);
