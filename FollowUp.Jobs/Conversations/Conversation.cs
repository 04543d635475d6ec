using NodaTime;

namespace FollowUp.Jobs.Conversations;

/// <summary>A client and a customer's phone: its messages and replies in time order (the latest <see cref="ConversationQueries.ThreadLimit"/>).</summary>
public sealed record Conversation
{
    public string ClientId { get; init; } = "";

    public string Phone { get; init; } = "";

    /// <summary>From the customer's latest call, when there is one.</summary>
    public string? CustomerName { get; init; }

    /// <summary>The customer has opted out of this client's SMS.</summary>
    public bool OptedOut { get; init; }

    public int Unread { get; init; }

    /// <summary>True when older entries exist beyond the ones returned.</summary>
    public bool Truncated { get; init; }

    /// <summary>The customer's answers about appointments in this conversation.</summary>
    public IReadOnlyList<AppointmentAnswer> Appointments { get; init; } = [];

    public IReadOnlyList<ConversationItem> Items { get; init; } = [];
}

/// <summary>What a customer answered about one appointment, and when.</summary>
public sealed record AppointmentAnswer(string AppointmentId, string Status, Instant At);
