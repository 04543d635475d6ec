using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>A message to plan: its content is rendered before it is stored.</summary>
public sealed record NewMessage(
    string ClientId, string Kind, Channel Channel, string Recipient, string? Subject, string Body,
    Instant ScheduledFor, string? CallId = null)
{
    /// <summary>Set: the message is recorded as <c>skipped</c> with this reason and gets no job.</summary>
    public string? SkipReason { get; init; }

    /// <summary>The appointment a reminder or confirmation is about: a cancellation finds its reminders by it.</summary>
    public string? AppointmentId { get; init; }

    /// <summary>The customer's phone: a booking finds the customer's pending nurture by it.</summary>
    public string? CustomerPhone { get; init; }
}
