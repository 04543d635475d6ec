using FollowUp.Jobs.Engine;
using Hangfire.Common;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// What a <see cref="SendMessageJob"/>'s dead letter means for its message: dead-lettered with its job
/// (the business told, when it asked for <c>message.dead_lettered</c>), back to <c>scheduled</c> when an
/// open dead letter is requeued, <c>cancelled</c> when it is discarded, and <c>cancelled</c> when its job is
/// deleted before it ran. Every change goes through <see cref="MessageStore.TransitionAsync(long, StatusChange, NpgsqlTransaction?, CancellationToken)"/>.
/// </summary>
internal sealed class SendMessageDeadLetters(MessageStore store, IClock clock) : IDeadLetterHandler
{
    /// <inheritdoc />
    public Type JobType => typeof(SendMessageJob);

    /// <inheritdoc />
    /// <remarks>The message id is <see cref="SendMessageJob.SendAsync"/>'s first argument, by position (stored jobs keep it).</remarks>
    public DeadLetterSubject SubjectOf(Job job) =>
        job is { Method.Name: nameof(SendMessageJob.SendAsync), Args: [long messageId, ..] } ? new(messageId, null) : DeadLetterSubject.None;

    /// <inheritdoc />
    public async Task DeadLetteredAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (letter.Subject.MessageId is not { } id)
        {
            return;
        }

        var moved = await store.TransitionAsync(id, new StatusChange(MessageStatus.DeadLettered, MessageStatus.DeadLetterable, "dead_lettered",
            $"dead letter #{letter.DeadLetterId} after {letter.Attempts} attempt(s) of job {letter.JobId}") { FailedAttempt = true }, transaction, cancellationToken);
        if (moved && letter.FirstTime)
        {
            await Notifications.NotificationOutbox.AddForMessageAsync(transaction, id, Notifications.NotificationTypes.MessageDeadLettered,
                new { dead_letter_id = letter.DeadLetterId, attempts = letter.Attempts, error = letter.Error }, clock.GetCurrentInstant(), cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<bool> RequeuedAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (letter.Subject.MessageId is not { } id)
        {
            return !letter.JobGone;
        }

        var change = letter.JobGone
            ? new StatusChange(MessageStatus.Scheduled, MessageStatus.Requeueable, "requeued", $"by {letter.Actor}: its job was gone; a new one is created")
            {
                ClearError = true, ClearJob = true,
            }
            : new StatusChange(MessageStatus.Scheduled, MessageStatus.Requeueable, "requeued", $"by {letter.Actor}: job {letter.JobId} runs again")
            {
                ClearError = true,
            };
        var moved = await store.TransitionAsync(id, change, transaction, cancellationToken);
        return moved || !letter.JobGone;
    }

    /// <inheritdoc />
    public async Task DiscardedAsync(DeadLetterEvent letter, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (letter.Subject.MessageId is { } id)
        {
            // Checkpoint: cancelled is final for every door (the send job, a requeue, the reconciler), so a
            // discarded dead letter's message is never sent afterwards.
            await store.CancelAsync(id, $"dead letter #{letter.DeadLetterId} discarded by {letter.Actor}", transaction, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task DeletedAsync(long jobId, Job job, string actor, string? reason, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // Only the message this job owns (a replaced or orphaned job owns none), and only if it has not gone out.
        await store.CancelForJobAsync(jobId, reason ?? $"deleted on the Hangfire dashboard by {actor}", transaction, cancellationToken);
    }
}
