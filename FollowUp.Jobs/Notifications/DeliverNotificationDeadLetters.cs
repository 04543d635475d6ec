using FollowUp.Jobs.Engine;
using Hangfire.Common;
using Npgsql;

namespace FollowUp.Jobs.Notifications;

/// <summary>
/// What a <see cref="DeliverNotificationJob"/>'s dead letter means for its notification: dead-lettered
/// with its job, pending again when requeued, dropped when discarded.
/// </summary>
internal sealed class DeliverNotificationDeadLetters(NotificationStore store) : IDeadLetterHandler
{
    /// <inheritdoc />
    public Type JobType => typeof(DeliverNotificationJob);

    /// <inheritdoc />
    /// <remarks>The notification id is <see cref="DeliverNotificationJob.DeliverAsync"/>'s first argument, by position.</remarks>
    public DeadLetterSubject SubjectOf(Job job) =>
        job is { Method.Name: nameof(DeliverNotificationJob.DeliverAsync), Args: [long notificationId, ..] } ? new(null, notificationId) : DeadLetterSubject.None;

    /// <inheritdoc />
    public async Task DeadLetteredAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (letter.Subject.NotificationId is { } id)
        {
            await store.TransitionAsync(id, NotificationStatus.DeadLettered, NotificationStatus.Waiting, null, transaction, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<bool> RequeuedAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // A notification whose job is gone is not revived here: the reconciler releases lost pending ones.
        if (letter.JobGone || letter.Subject.NotificationId is not { } id)
        {
            return !letter.JobGone;
        }

        await store.TransitionAsync(id, NotificationStatus.Pending, NotificationStatus.Parked, null, transaction, cancellationToken);
        return true;
    }

    /// <inheritdoc />
    public async Task DiscardedAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (letter.Subject.NotificationId is { } id)
        {
            await store.TransitionAsync(id, NotificationStatus.Dropped, NotificationStatus.Parked, null, transaction, cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Nothing: a pending notification whose job was deleted is not dropped but released by the reconciler
    /// to the dispatch loop, which gives it a new job (the business still gets its event).
    /// </remarks>
    public Task DeletedAsync(long jobId, Job job, string actor, string? reason, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
