using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// Ad-hoc sends from code, through the same pipeline as planned messages: checks at send time,
/// provider failover, fixed retry and the dead-letter table. Each message is sent by one Hangfire job.
/// With a transaction, the message commits (or rolls back) with the caller's rows, and its job is
/// created after the commit, in one transaction with the write of its job id: by <see cref="DispatchAsync"/>
/// if the caller calls it, at once by this process's dispatcher after <see cref="RequestDispatch"/>, else by
/// the dispatcher of any node within <c>FollowUp:Engine:DispatchPollMilliseconds</c>.
/// </summary>
public interface IMessageClient
{
    /// <summary>
    /// Plans an SMS to <paramref name="to"/> now or at <paramref name="sendAt"/>. The number is stored as
    /// E.164 ("+1 (212) 555-0123" as "+12125550123"); it must start with + and its country code.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not a valid number; the message says why.</exception>
    Task<MessageInfo> SendSmsAsync(string clientId, string to, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Plans an email now or at <paramref name="sendAt"/>.</summary>
    Task<MessageInfo> SendEmailAsync(string clientId, string to, string subject, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Plans a message of any kind inside <paramref name="transaction"/>; its job follows the commit (see the type's remarks).</summary>
    Task<long> PlanAsync(NewMessage message, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Plans many messages inside <paramref name="transaction"/> in one statement. Ids in input order.
    /// After committing, pass the result to <see cref="DispatchAsync"/>.
    /// </summary>
    Task<PlannedMessages> PlanManyAsync(IReadOnlyList<NewMessage> messages, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the Hangfire jobs of committed messages: enqueued when due, scheduled for their instant
    /// otherwise. Never throws for a storage failure: the dispatcher then creates them on its next pass.
    /// </summary>
    Task DispatchAsync(PlannedMessages planned, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks this process's dispatcher to create the jobs of committed messages now, and returns at once:
    /// for callers answered at their commit (a webhook). The jobs of many commits are then created in one
    /// batch; until then the messages are <c>scheduled</c> without a job id.
    /// </summary>
    void RequestDispatch(PlannedMessages planned);

    /// <summary>
    /// Cancels the pending messages <paramref name="cancel"/> names inside <paramref name="transaction"/>.
    /// After committing, pass the result to <see cref="DeleteJobsAsync"/>.
    /// </summary>
    Task<CancelledMessages> CancelPendingAsync(PendingCancellation cancel, NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes the Hangfire jobs of committed cancellations (those not already running or done).</summary>
    Task DeleteJobsAsync(CancelledMessages cancelled, string actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a message that has not gone out (scheduled, or dead-lettered awaiting a requeue) and its
    /// job, in one transaction; <c>skip_reason</c> says who. A job already running finds the message
    /// cancelled at its checkpoint and sends nothing. False when the message is sending, sent, or
    /// otherwise past cancelling, or does not exist.
    /// </summary>
    Task<bool> CancelAsync(long id, string actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a Hangfire job that is Scheduled, Enqueued, Awaiting or Failed, and when it sends a
    /// message that is still scheduled (or dead-lettered), cancels that message too: a cancelled send job
    /// never leaves its message showing "scheduled". False when the job is running, finished, or missing.
    /// </summary>
    Task<bool> CancelJobAsync(long jobId, string actor, CancellationToken cancellationToken = default);

    /// <summary>The messages planned for a call, in the order they were planned.</summary>
    Task<IReadOnlyList<MessageInfo>> ForCallAsync(string clientId, string callId, CancellationToken cancellationToken = default);

    /// <summary>The message with id <paramref name="id"/> as it is now (status, provider, cost, last error), or null when there is none.</summary>
    Task<MessageInfo?> FindAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Edits a message that has not gone out (scheduled, or dead-lettered / failed and waiting for a
    /// retry or requeue). Returns false when it is sending, sent, delivered, cancelled or skipped.
    /// The change is recorded as an <c>edited</c> event with <paramref name="actor"/> and the old values.
    /// </summary>
    /// <exception cref="ArgumentException">The message after the edit breaks <see cref="MessageContentValidator"/>'s rules (the
    /// recipient does not fit the channel, a subject on more than one line or too long, an empty or too long body): the
    /// parameter name is the field (<c>to</c>, <c>subject</c>, <c>body</c>), the message says why. Check first with
    /// <see cref="MessageContentValidator.Problems"/> to show every field's problem.</exception>
    Task<bool> EditAsync(long id, MessageEdit edit, string actor, CancellationToken cancellationToken = default);
}
