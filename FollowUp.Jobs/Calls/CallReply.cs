namespace FollowUp.Jobs.Calls;

/// <summary>
/// The reply to an accepted call webhook, stored with its journal entry so that a retry of the same
/// event gets the very same reply.
/// </summary>
public sealed record CallReply(string CallId, IReadOnlyList<CallReplyMessage> Messages)
{
    /// <summary>Pending messages this call cancelled (an appointment's reminders, a customer's nurture).</summary>
    public IReadOnlyList<long> CancelledMessageIds { get; init; } = [];
}
