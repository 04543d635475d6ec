namespace FollowUp.Jobs.Calls;

/// <summary>
/// The result of accepting or replaying a call webhook. <see cref="AnswerJson"/> is the stored answer
/// (snake_case <see cref="IntakeAnswer"/>), byte for byte what the first acceptance answered.
/// </summary>
public sealed record IntakeResult(IntakeStatus Status, long WebhookId, string? AnswerJson = null, string? Error = null);
