namespace FollowUp.Jobs.Engine;

/// <summary>What <see cref="DeadLetterFilter"/> records when a job's attempts run out.</summary>
internal sealed record NewDeadLetter(
    long JobId, string JobType, string? JobMethod, string ArgsJson, DeadLetterSubject Subject, int Attempts, string? Reason, Exception? Exception);
