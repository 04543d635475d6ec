using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>One planned message in a <see cref="IntakeAnswer"/>.</summary>
public sealed record IntakeAnswerMessage(long Id, string Kind, Channel Channel, Instant ScheduledFor, string Status)
{
    public string? SkipReason { get; init; }
}
