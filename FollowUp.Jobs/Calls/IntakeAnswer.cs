namespace FollowUp.Jobs.Calls;

/// <summary>
/// The intake's answer to an accepted call webhook (its HTTP response body: the call and the messages
/// planned for it), stored with its journal entry so that a retry of the same event gets the very same
/// answer. Not a customer's reply, which is an inbound SMS (<c>Conversations</c>).
/// </summary>
public sealed record IntakeAnswer(string CallId, IReadOnlyList<IntakeAnswerMessage> Messages)
{
    /// <summary>Pending messages this call cancelled (an appointment's reminders, a customer's nurture).</summary>
    public IReadOnlyList<long> CancelledMessageIds { get; init; } = [];
}
