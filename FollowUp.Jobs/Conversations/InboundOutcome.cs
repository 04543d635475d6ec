namespace FollowUp.Jobs.Conversations;

/// <summary>
/// What an inbound SMS did: its row, the client it belongs to (null when several clients share the number
/// and none has written to this phone), the message it answers, and its action
/// (<c>none</c>, <c>confirmed</c>, <c>cancelled</c>, <c>reschedule_requested</c>, <c>nurture_stopped</c>,
/// <c>opted_out</c>, <c>opted_in</c>, <c>help</c>). <see cref="Duplicate"/>: the provider sent it before
/// (same provider id) and nothing was done again. <see cref="Reply"/>: the text to answer with in the
/// provider's response (the client's <c>help_text</c> for HELP/INFO), or null for no answer.
/// </summary>
public sealed record InboundOutcome(long? Id, string? ClientId, long? AnsweredMessageId, string Action, bool Duplicate = false, string? Reply = null);
