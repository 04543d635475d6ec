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

    /// <summary>Who wrote the body: <c>template</c>, or <c>ai</c> (the model, when the client's AI-written follow-ups rewrote it).</summary>
    public string WrittenBy { get; init; } = "template";

    /// <summary>For a body written by the model: the template text it replaced.</summary>
    public string? TemplateBody { get; init; }

    /// <summary>The model asked about this message, when it was.</summary>
    public string? AiModel { get; init; }

    /// <summary>What that call cost, in USD at the configured token prices (recorded whether or not its text was used).</summary>
    public decimal? AiCost { get; init; }

    /// <summary>Why the template was kept though the model was asked: <c>timeout</c>, <c>guardrail:&lt;name&gt;</c>, <c>spend cap</c>, <c>error: …</c>, …</summary>
    public string? AiKeptReason { get; init; }
}
