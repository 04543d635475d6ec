namespace FollowUp.Jobs.Engine;

/// <summary>What <see cref="DeadLetterFilter"/> records when a job's attempts run out.</summary>
internal sealed record NewDeadLetter(
    long JobId, string JobType, string? JobMethod, string ArgsJson, long? MessageId, int Attempts, string? Reason, Exception? Exception,
    long? NotificationId = null);
