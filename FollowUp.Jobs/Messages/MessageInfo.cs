using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>A message as the API and the dashboard show it.</summary>
public sealed record MessageInfo
{
    public long Id { get; init; }

    public string ClientId { get; init; } = "";

    public string? CallId { get; init; }

    public string Kind { get; init; } = "";

    public Channel Channel { get; init; } = Channel.Sms;

    public string Recipient { get; init; } = "";

    public string? Subject { get; init; }

    public string Body { get; init; } = "";

    public Instant ScheduledFor { get; init; }

    public string Status { get; init; } = "";

    public string? SkipReason { get; init; }

    public string? Provider { get; init; }

    public string? ProviderMessageId { get; init; }

    public int? Segments { get; init; }

    public decimal? Cost { get; init; }

    public string? Currency { get; init; }

    public string? Error { get; init; }

    public long? JobId { get; init; }

    public Instant? SentAt { get; init; }

    public Instant? DeliveredAt { get; init; }

    public Instant CreatedAt { get; init; }
}
