using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// What <see cref="MessageSearch"/> looks for; every part is optional and they all apply. Values are
/// parsed and checked at the edge (the API, the dashboard): <see cref="To"/> is E.164 for a number.
/// </summary>
public sealed record MessageFilter
{
    /// <summary>Shortest <see cref="Query"/>: the trigram indexes serve three characters and more.</summary>
    public const int MinQueryLength = 3;

    public const int MaxQueryLength = 100;

    public string? ClientId { get; init; }

    /// <summary>One of <see cref="MessageStatus"/>.</summary>
    public string? Status { get; init; }

    public string? Kind { get; init; }

    public Channel? Channel { get; init; }

    /// <summary>The recipient exactly: an E.164 number, or an email address (any case).</summary>
    public string? To { get; init; }

    /// <summary>A substring of the body, the recipient or the customer's name, any case.</summary>
    public string? Query { get; init; }

    /// <summary>Created at or after.</summary>
    public Instant? From { get; init; }

    /// <summary>Created before.</summary>
    public Instant? Until { get; init; }

    /// <summary>Keyset: messages with a smaller id than this (the previous page's last).</summary>
    public long? Before { get; init; }
}
