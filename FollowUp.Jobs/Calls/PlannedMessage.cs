using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// One message of a plan. With a <see cref="SkipReason"/> it is recorded as <c>skipped</c> and gets
/// no job (a reminder already past, an email to a customer without an address); otherwise it is
/// scheduled for <see cref="ScheduledFor"/>.
/// </summary>
public sealed record PlannedMessage(string Kind, Channel Channel, string Recipient, string? Subject, string Body, Instant ScheduledFor)
{
    public string? SkipReason { get; init; }
}
