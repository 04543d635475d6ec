using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>A message to plan: its content is rendered before it is stored.</summary>
public sealed record NewMessage(
    string ClientId, string Kind, string Channel, string Recipient, string? Subject, string Body,
    Instant ScheduledFor, string? CallId = null);
