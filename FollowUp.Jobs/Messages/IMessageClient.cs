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

    Task<MessageInfo?> FindAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Edits a message that has not gone out (scheduled, or dead-lettered / failed and waiting for a
    /// retry or requeue). Returns false when it is sending, sent, delivered, cancelled or skipped.
    /// The change is recorded as an <c>edited</c> event with <paramref name="actor"/> and the old values.
    /// </summary>
    /// <exception cref="ArgumentException">The recipient does not fit the channel, or the body is empty.</exception>
    Task<bool> EditAsync(long id, MessageEdit edit, string actor, CancellationToken cancellationToken = default);
}
