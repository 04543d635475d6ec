namespace FollowUp.Jobs.Messages;

/// <summary>The Hangfire job sending a message, and which attempt this is (1 for the first; a requeue starts again at 1).</summary>
internal sealed record SendAttempt(long JobId, int Attempt);
