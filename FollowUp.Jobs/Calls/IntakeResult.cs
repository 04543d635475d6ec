namespace FollowUp.Jobs.Calls;

/// <summary>
/// The result of accepting or replaying a call webhook. <see cref="ReplyJson"/> is the stored reply
/// (snake_case <see cref="CallReply"/>), byte for byte what the first acceptance answered.
/// </summary>
public sealed record IntakeResult(IntakeStatus Status, long WebhookId, string? ReplyJson = null, string? Error = null);
