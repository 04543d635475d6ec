using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// One guarded status change of messages (<c>MessageStore.TransitionAsync</c>): to
/// <see cref="To"/>, only from one of <see cref="From"/> (a named set of <see cref="MessageStatus"/>),
/// with the <c>message_events</c> row <see cref="Event"/> / <see cref="Detail"/> written in the same
/// statement. The other properties are the columns that change with it; null leaves a column as it is.
/// </summary>
internal sealed record StatusChange(string To, IReadOnlyList<string> From, string Event, string? Detail)
{
    /// <summary>The error to record; null keeps the one there (unless <see cref="ClearError"/>).</summary>
    public string? Error { get; init; }

    /// <summary>Clears the error (a new attempt, a send, a requeue).</summary>
    public bool ClearError { get; init; }

    public string? SkipReason { get; init; }

    public Instant? ScheduledFor { get; init; }

    /// <summary>Only the message owned by this job changes (a guard, not a column written).</summary>
    public long? ExpectedJobId { get; init; }

    /// <summary>The job that owns the message from now on.</summary>
    public long? NewJobId { get; init; }

    /// <summary>Hands the message back to the dispatcher, which gives it a new job.</summary>
    public bool ClearJob { get; init; }

    /// <summary>Stamps <c>attempted_at</c> (an attempt began; the daily limit counts it).</summary>
    public bool Attempted { get; init; }

    /// <summary>Counts a failed attempt in <c>failed_attempts</c> (a retry follows, or the job gave up): what retry success is measured on.</summary>
    public bool FailedAttempt { get; init; }

    /// <summary>What the provider's acceptance recorded: provider, its id, segments, cost; stamps <c>sent_at</c>.</summary>
    public SentReceipt? Sent { get; init; }

    /// <summary>Stamps <c>delivered_at</c>.</summary>
    public bool Delivered { get; init; }

    /// <summary>Segments a provider reported (replacing the estimate); null keeps them.</summary>
    public int? Segments { get; init; }

    /// <summary>A provider's price and its currency; null keeps the estimate.</summary>
    public (decimal Amount, string? Currency)? Price { get; init; }
}

/// <summary>The provider's acceptance of a send, as <see cref="StatusChange.Sent"/> records it.</summary>
/// <remarks>Cost and currency are null only when a status callback recorded the acceptance before its attempt did (the attempt fills them).</remarks>
internal sealed record SentReceipt(string Provider, string ProviderMessageId, string? EmailMessageId, int? Segments, decimal? Cost, string? Currency);
