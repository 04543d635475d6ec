namespace FollowUp.Jobs.Messages;

/// <summary>Changes to a message before its next attempt; a null field stays as it is.</summary>
public sealed record MessageEdit(string? Recipient = null, string? Subject = null, string? Body = null);
