using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Ad-hoc sends from code, through the same pipeline as planned messages: checks at send time,
/// provider failover, fixed retry and the dead-letter table. With a transaction, the message and its
/// job commit with the caller's rows.
/// </summary>
public interface IMessageClient
{
    /// <summary>Plans an SMS to <paramref name="to"/> (E.164) now or at <paramref name="sendAt"/>.</summary>
    Task<MessageInfo> SendSmsAsync(string clientId, string to, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Plans an email now or at <paramref name="sendAt"/>.</summary>
    Task<MessageInfo> SendEmailAsync(string clientId, string to, string subject, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Plans a message of any kind (the planner's entry point).</summary>
    Task<long> PlanAsync(NewMessage message, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Plans many messages inside <paramref name="transaction"/> in three round trips: the messages, the
    /// jobs of those that are not skipped, and the links between them. Ids in input order. The jobs are
    /// not announced at commit (see <see cref="Engine.IJobClient.EnqueueManyUnannouncedAsync"/>): after
    /// committing, pass <see cref="PlannedMessages.EarliestRunAt"/> to <see cref="Engine.IJobClient.AnnounceCommitted"/>.
    /// </summary>
    Task<PlannedMessages> PlanManyAsync(IReadOnlyList<NewMessage> messages, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels the pending messages <paramref name="cancel"/> names, and their jobs, inside
    /// <paramref name="transaction"/>; returns the cancelled message ids.
    /// </summary>
    Task<IReadOnlyList<long>> CancelPendingAsync(PendingCancellation cancel, NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a message that has not gone out (scheduled, or dead-lettered awaiting a requeue) and its
    /// job, in one transaction; <c>skip_reason</c> says who. A job already running finds the message
    /// cancelled at its checkpoint and sends nothing. False when the message is sending, sent, or
    /// otherwise past cancelling, or does not exist.
    /// </summary>
    Task<bool> CancelAsync(long id, string actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="Engine.IJobClient.CancelAsync"/>, and when the job sends a message, that message too
    /// (if still scheduled), in one transaction: a cancelled send job never leaves its message showing
    /// "scheduled". Same result as the job cancel.
    /// </summary>
    Task<bool> CancelJobAsync(long jobId, string actor, CancellationToken cancellationToken = default);

    /// <summary>The messages planned for a call, in the order they were planned.</summary>
    Task<IReadOnlyList<MessageInfo>> ForCallAsync(string clientId, string callId, CancellationToken cancellationToken = default);

    Task<MessageInfo?> FindAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Edits a message that has not gone out (scheduled, or dead-lettered / failed and waiting for a
    /// retry or requeue). Returns false when it is sending, sent, delivered, cancelled or skipped.
    /// The change is recorded as an <c>edited</c> event with <paramref name="actor"/> and the old values.
    /// </summary>
    /// <exception cref="ArgumentException">The recipient does not fit the channel, or the body is empty.</exception>
    Task<bool> EditAsync(long id, MessageEdit edit, string actor, CancellationToken cancellationToken = default);
}
