using NodaTime;

namespace FollowUp.Jobs.Conversations;

/// <summary>A conversation in the list: who, the latest reply, how many are unread.</summary>
public sealed record ConversationSummary
{
    public string ClientId { get; init; } = "";

    public string Phone { get; init; } = "";

    public string? CustomerName { get; init; }

    /// <summary>The latest reply, or null for a customer who has not replied.</summary>
    public string? LastReply { get; init; }

    public Instant? LastReplyAt { get; init; }

    public int Unread { get; init; }
}
