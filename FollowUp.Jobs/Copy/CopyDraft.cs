namespace FollowUp.Jobs.Copy;

/// <summary>The model's answer to a <see cref="CopyBrief"/>: its text (untrusted until the guardrails pass it), the model that wrote it and the tokens billed.</summary>
public sealed record CopyDraft(string Text, string Model, long InputTokens, long OutputTokens);
