namespace FollowUp.Jobs.Messages;

/// <summary>
/// Messages cancelled inside a transaction, and the Hangfire jobs that were to send them. After the
/// commit, <see cref="IMessageClient.DeleteJobsAsync"/> deletes those jobs; a job that runs first finds
/// its message cancelled and sends nothing, so the deletion is tidiness, not safety.
/// </summary>
public sealed record CancelledMessages(IReadOnlyList<long> Ids, IReadOnlyList<long> JobIds)
{
    public static CancelledMessages None { get; } = new([], []);
}
