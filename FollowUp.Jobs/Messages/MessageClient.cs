using System.Globalization;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Templates;
using Hangfire;
using Hangfire.States;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

internal sealed class MessageClient(
    NpgsqlDataSource dataSource, MessageStore store, MessageDispatcher dispatcher, IBackgroundJobClient jobs, JobStorage storage,
    IClock clock) : IMessageClient
{
    // A job in one of these states has not started its work, so deleting it cancels the send.
    private static readonly string[] CancellableStates =
        [ScheduledState.StateName, EnqueuedState.StateName, AwaitingState.StateName, FailedState.StateName];

    public Task<MessageInfo> SendSmsAsync(string clientId, string to, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        AdHocAsync(new NewMessage(clientId, MessageKind.AdHoc, Channel.Sms, E164.Normalize(to), null, body, sendAt ?? clock.GetCurrentInstant()),
            transaction, cancellationToken);

    public Task<MessageInfo> SendEmailAsync(string clientId, string to, string subject, string body, Instant? sendAt = null,
        NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        AdHocAsync(new NewMessage(clientId, MessageKind.AdHoc, Channel.Email, to, subject, body, sendAt ?? clock.GetCurrentInstant()), transaction, cancellationToken);

    public async Task<long> PlanAsync(NewMessage message, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return await store.InsertAsync(message, transaction, cancellationToken);
    }

    public async Task<PlannedMessages> PlanManyAsync(IReadOnlyList<NewMessage> messages, NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return new PlannedMessages([], []);
        }

        var ids = await store.InsertManyAsync(messages, transaction, cancellationToken);
        return new PlannedMessages(ids, Enumerable.Range(0, messages.Count).Where(i => messages[i].SkipReason is null).Select(i => ids[i]).ToArray());
    }

    public Task DispatchAsync(PlannedMessages planned, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planned);
        return dispatcher.DispatchCommittedAsync(planned.Sendable, cancellationToken);
    }

    public void RequestDispatch(PlannedMessages planned)
    {
        ArgumentNullException.ThrowIfNull(planned);
        if (planned.Sendable.Count > 0)
        {
            dispatcher.RequestDispatch(planned.Sendable);
        }
    }

    public async Task<CancelledMessages> CancelPendingAsync(PendingCancellation cancel, NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cancel);
        if (cancel.IsEmpty)
        {
            return CancelledMessages.None;
        }

        var cancelled = await store.CancelPendingAsync(cancel, transaction, cancellationToken);
        return new CancelledMessages(cancelled.Select(c => c.Id).ToArray(), cancelled.Where(c => c.JobId is not null).Select(c => c.JobId!.Value).ToArray());
    }

    public Task DeleteJobsAsync(CancelledMessages cancelled, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cancelled);
        using (JobActor.Push(actor))
        {
            foreach (var jobId in cancelled.JobIds)
            {
                // A job already running finds its message cancelled at its checkpoint and sends nothing.
                TryDelete(jobId, $"Its message was cancelled by {actor}");
            }
        }

        return Task.CompletedTask;
    }

    public async Task<bool> CancelAsync(long id, string actor, CancellationToken cancellationToken = default)
    {
        long? jobId;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            (var cancelled, jobId) = await store.CancelAsync(id, $"cancelled by {actor}", tx, cancellationToken);
            if (!cancelled)
            {
                return false;
            }

            await tx.CommitAsync(cancellationToken);
        }

        if (jobId is { } job)
        {
            await DeleteJobsAsync(new CancelledMessages([id], [job]), actor, cancellationToken);
        }

        return true;
    }

    public async Task<bool> CancelJobAsync(long jobId, string actor, CancellationToken cancellationToken = default)
    {
        using (JobActor.Push(actor))
        {
            if (!TryDelete(jobId, $"cancelled by {actor}"))
            {
                return false;
            }
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
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

        // The message as it would be after the edit, held to the rules every door applies to what a person writes.
        var channel = current.Channel;
        var content = new MessageContent(channel, edit.Recipient ?? current.Recipient,
            channel == Channel.Email ? edit.Subject ?? current.Subject : null, edit.Body ?? current.Body);
        var problems = MessageContentValidator.Instance.Problems(content);
        if (problems.Count > 0)
        {
            var (field, problem) = problems.First();
            throw new ArgumentException(problem, field);
        }

        if (edit.Recipient is { } to && channel == Channel.Sms)
        {
            // Stored as E.164, as every number is.
            edit = edit with { Recipient = E164.Normalize(to) };
        }

        return await store.EditAsync(id, edit, actor, cancellationToken);
    }

    /// <summary>Deletes a job that has not started; the state it is expected in guards against a race with a worker.</summary>
    private bool TryDelete(long jobId, string reason)
    {
        var id = jobId.ToString(CultureInfo.InvariantCulture);
        using var connection = storage.GetConnection();
        var state = connection.GetStateData(id)?.Name;
        return state is not null && CancellableStates.Contains(state, StringComparer.Ordinal)
            && jobs.ChangeState(id, new DeletedState { Reason = reason }, state);
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

        // Checkpoint: the message is committed, so from here nothing may tell the caller it failed (a
        // caller who retries would send it twice). A failed dispatch is left to the dispatch loop; a
        // failed read-back answers with what was just written.
        await dispatcher.DispatchCommittedAsync([id], cancellationToken);
        try
        {
            return (await store.FindAsync(id, cancellationToken))!;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return new MessageInfo
            {
                Id = id, ClientId = message.ClientId, Kind = message.Kind, Channel = message.Channel, Recipient = message.Recipient,
                Subject = message.Subject, Body = message.Body, ScheduledFor = message.ScheduledFor, Status = MessageStatus.Scheduled,
            };
        }
    }
}
