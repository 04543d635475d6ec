using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>One journaled call webhook (<c>inbound_webhooks</c>).</summary>
public sealed record WebhookEntry
{
    public long Id { get; init; }

    public string Source { get; init; } = "";

    public string ClientId { get; init; } = "";

    public string EventId { get; init; } = "";

    public string? CallId { get; init; }

    public string? Outcome { get; init; }

    /// <summary><c>received</c>, <c>processed</c> or <c>failed</c>.</summary>
    public string Status { get; init; } = "";

    public int Attempts { get; init; }

    public string? Error { get; init; }

    public Instant ReceivedAt { get; init; }

    public Instant? ProcessedAt { get; init; }

    /// <summary>The body as received; only when asked for (<see cref="CallIntake.ListAsync"/>'s <c>includeBody</c>).</summary>
    public string? RawBody { get; init; }
}
