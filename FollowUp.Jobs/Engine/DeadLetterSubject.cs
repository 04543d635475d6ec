namespace FollowUp.Jobs.Engine;

/// <summary>What a dead letter records about its job's subject (a message, or a business notification), as its handler says.</summary>
public sealed record DeadLetterSubject(long? MessageId, long? NotificationId)
{
    /// <summary>A job with no subject the dead-letter table knows (a developer's own job).</summary>
    public static DeadLetterSubject None { get; } = new(null, null);
}
