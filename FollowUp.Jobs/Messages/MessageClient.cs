using FollowUp.Jobs.Engine;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

internal sealed class MessageClient(NpgsqlDataSource dataSource, MessageStore store, IJobClient jobs, IClock clock) : IMessageClient
{
    public Task<MessageInfo> SendSmsAsync(string clientId, string to, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        AdHocAsync(new NewMessage(clientId, MessageKind.AdHoc, "sms", to, null, body, sendAt ?? clock.GetCurrentInstant()), transaction, cancellationToken);

    public Task<MessageInfo> SendEmailAsync(string clientId, string to, string subject, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        AdHocAsync(new NewMessage(clientId, MessageKind.AdHoc, "email", to, subject, body, sendAt ?? clock.GetCurrentInstant()), transaction, cancellationToken);

    public async Task<long> PlanAsync(NewMessage message, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var id = await store.InsertAsync(message, transaction, cancellationToken);
        var args = new SendMessageArgs(id);
        var jobId = message.Channel == "sms"
            ? await jobs.ScheduleAsync<SendSmsJob>(args, message.ScheduledFor, transaction, cancellationToken)
            : await jobs.ScheduleAsync<SendEmailJob>(args, message.ScheduledFor, transaction, cancellationToken);
        await store.SetJobAsync(id, jobId, transaction, cancellationToken);
        return id;
    }

    public async Task<PlannedMessages> PlanManyAsync(IReadOnlyList<NewMessage> messages, NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return new PlannedMessages([], Instant.MaxValue);
        }

        var ids = await store.InsertManyAsync(messages, transaction, cancellationToken);
        var sendable = Enumerable.Range(0, messages.Count).Where(i => messages[i].SkipReason is null).ToArray();
        if (sendable.Length == 0)
        {
            return new PlannedMessages(ids, Instant.MaxValue);
        }

        var (jobIds, earliest) = await jobs.EnqueueManyUnannouncedAsync(sendable.Select(i => messages[i].Channel == "sms"
            ? JobRequest.For<SendSmsJob>(new SendMessageArgs(ids[i]), messages[i].ScheduledFor)
            : JobRequest.For<SendEmailJob>(new SendMessageArgs(ids[i]), messages[i].ScheduledFor)).ToArray(), transaction, cancellationToken);
        await store.SetJobsAsync(sendable.Select(i => ids[i]).ToArray(), jobIds, transaction, cancellationToken);
        return new PlannedMessages(ids, earliest);
    }

    public async Task<IReadOnlyList<long>> CancelPendingAsync(PendingCancellation cancel, NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cancel);
        if (cancel.IsEmpty)
        {
            return [];
        }

        var cancelled = await store.CancelPendingAsync(cancel, transaction, cancellationToken);
        foreach (var (_, jobId) in cancelled)
        {
            // A job already running finds its message cancelled at its checkpoint and sends nothing.
            if (jobId is { } id)
            {
                await jobs.CancelAsync(id, "planner", transaction, cancellationToken);
            }
        }

        return cancelled.Select(c => c.Id).ToArray();
    }

    public async Task<bool> CancelAsync(long id, string actor, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var (cancelled, jobId) = await store.CancelAsync(id, $"cancelled by {actor}", tx, cancellationToken);
        if (!cancelled)
        {
            return false;
        }

        if (jobId is { } job)
        {
            // False when the job is running or finished: its checkpoint then finds the message cancelled.
            await jobs.CancelAsync(job, actor, tx, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> CancelJobAsync(long jobId, string actor, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await jobs.CancelAsync(jobId, actor, tx, cancellationToken))
        {
            return false;
        }

        await store.CancelForJobAsync(jobId, $"cancelled by {actor}", tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public Task<IReadOnlyList<MessageInfo>> ForCallAsync(string clientId, string callId, CancellationToken cancellationToken = default) =>
        store.ForCallAsync(clientId, callId, cancellationToken);

    public Task<MessageInfo?> FindAsync(long id, CancellationToken cancellationToken = default) => store.FindAsync(id, cancellationToken);

    public async Task<bool> EditAsync(long id, MessageEdit edit, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var current = await store.FindAsync(id, cancellationToken);
        if (current is null)
        {
            return false;
        }

        if (edit.Body is { } body && string.IsNullOrWhiteSpace(body))
        {
            throw new ArgumentException("The body must not be empty.", nameof(edit));
        }

        if (edit.Recipient is { } to && !(current.Channel == "sms" ? Channels.Recipients.IsE164(to) : Channels.Recipients.IsEmailAddress(to)))
        {
            throw new ArgumentException($"'{to}' is not a valid {(current.Channel == "sms" ? "E.164 number" : "email address")}.", nameof(edit));
        }

        return await store.EditAsync(id, edit, actor, cancellationToken);
    }

    private async Task<MessageInfo> AdHocAsync(NewMessage message, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        long id;
        if (transaction is not null)
        {
            id = await PlanAsync(message, transaction, cancellationToken);
            return new MessageInfo
            {
                Id = id, ClientId = message.ClientId, Kind = message.Kind, Channel = message.Channel, Recipient = message.Recipient,
                Subject = message.Subject, Body = message.Body, ScheduledFor = message.ScheduledFor, Status = MessageStatus.Scheduled,
            };
        }

        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            id = await PlanAsync(message, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        return (await store.FindAsync(id, cancellationToken))!;
    }
}
