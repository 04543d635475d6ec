using System.ComponentModel;
using System.Globalization;
using Dapper;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Engine;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// A Hangfire recurring job, every minute: no job FollowUp relies on is lost unseen, a message's send
/// job or a notification's delivery job (hence the name: it reconciles jobs, not only messages). It looks at messages
/// still <c>scheduled</c> (or <c>sending</c>) more than <c>ReconcileGraceSeconds</c> after they were due
/// and at the Hangfire job of each:
/// <list type="bullet">
/// <item>no job id: dispatched now (the dispatcher should have done it);</item>
/// <item>job missing, or Succeeded while the message is not sent: a new job is created and recorded in
/// place of the old one (guarded, so a concurrent change wins);</item>
/// <item>job Deleted (a person deleted it on the Hangfire dashboard): never revived; the message is
/// cancelled, as deleting it already does;</item>
/// <item>Enqueued for longer than <c>StuckAfterSeconds</c>, or Scheduled and long past its time: re-enqueued
/// (a stuck queue row is left behind and dropped by the worker that later fetches it);</item>
/// <item>Processing, or Failed (a dead letter, which a person requeues): left alone.</item>
/// </list>
/// Business notifications likewise: a pending one whose delivery job is missing, Deleted or Succeeded
/// without delivering is released to the dispatch loop, which gives it a new job within a second
/// (<see cref="Notifications.NotificationDispatcher.ReleaseLostAsync"/>).
/// Each revival is counted (metric <c>followup.reconciler.revived</c>), logged, written as a message event
/// and summed in <c>reconciler_runs</c> for the overview; a message that cannot be revived is reported the
/// same way, never silently dropped.
/// </summary>
internal sealed class JobReconciler(
    NpgsqlDataSource dataSource, MessageStore store, MessageDispatcher dispatcher, Notifications.NotificationDispatcher notifications, IBackgroundJobClient jobs, JobStorage storage, Telemetry.FollowUpMetrics metrics,
    IOptions<EngineOptions> options, IClock clock, ILogger<JobReconciler> logger)
{
    public const string RecurringId = "reconcile-messages";
    private const int BatchSize = 1000;

    [DisplayName("Reconcile overdue messages with their jobs")]
    public async Task<ReconcilerRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var o = options.Value;
        IReadOnlyList<Overdue> overdue;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            overdue = (await connection.QueryAsync<Overdue>(new CommandDefinition("""
                select id, channel, kind, recipient, scheduled_for, job_id, status from messages
                where status = any(@unsettled) and scheduled_for < @due
                order by scheduled_for, id
                limit @limit
                """, new { unsettled = MessageStatus.Unsettled.ToArray(), due = now - Duration.FromSeconds(o.ReconcileGraceSeconds), limit = BatchSize },
                cancellationToken: cancellationToken))).AsList();
        }

        int revived = 0, unrevivable = 0;
        var notes = new List<string>();
        using var hangfire = storage.GetConnection();
        foreach (var message in overdue)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var why = await ReviveAsync(message, hangfire, now, o, cancellationToken);
                if (why is not null)
                {
                    revived++;
                    metrics.Revived(why);
                    notes.Add($"{message.Id}: {why}");
                    logger.LogWarning("Reconciler revived message {MessageId} (job {JobId}): {Why}", message.Id, message.JobId, why);
                    await EventAsync(message.Id, "revived", why, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is BackgroundJobClientException or NpgsqlException or InvalidOperationException or TimeoutException)
            {
                unrevivable++;
                metrics.Unrevivable();
                notes.Add($"{message.Id}: could not revive: {ex.Message}");
                logger.LogError(ex, "Reconciler could not revive message {MessageId} (job {JobId})", message.Id, message.JobId);
                await EventAsync(message.Id, "unrevivable", $"{ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            }
        }

        var released = await notifications.ReleaseLostAsync(hangfire, now - Duration.FromSeconds(o.ReconcileGraceSeconds), cancellationToken);
        foreach (var id in released)
        {
            revived++;
            metrics.Revived("notification job lost");
            notes.Add($"notification {id}: its job was lost; a new one is created");
            logger.LogWarning("Reconciler released notification {NotificationId}: its delivery job was lost", id);
        }


        var run = new ReconcilerRun(now, overdue.Count, revived, unrevivable);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into reconciler_runs (at, checked, revived, unrevivable, detail) values (@At, @Checked, @Revived, @Unrevivable, @detail)
                """, new { run.At, run.Checked, run.Revived, run.Unrevivable, detail = notes.Count == 0 ? null : string.Join("\n", notes.Take(100)) },
                cancellationToken: cancellationToken));
        }

        return run;
    }

    /// <summary>Revives one overdue message if its job will not send it; returns why, or null when its job is fine.</summary>
    private async Task<string?> ReviveAsync(Overdue message, Hangfire.Storage.IStorageConnection hangfire, Instant now, EngineOptions o,
        CancellationToken cancellationToken)
    {
        if (message.JobId is not { } jobId)
        {
            return await dispatcher.DispatchAsync([message.Id], 1, cancellationToken) == 1 ? "had no job; dispatched" : null;
        }

        var id = jobId.ToString(CultureInfo.InvariantCulture);
        var state = hangfire.GetStateData(id);
        var name = state?.Name;
        if (name is null)
        {
            return await ReplaceAsync(message, jobId, now, "job missing", cancellationToken);
        }

        if (name == DeletedState.StateName && message.Status == MessageStatus.Scheduled)
        {
            // Deleted by a person (the stock dashboard's Delete): never revived. Deleting a waiting send job
            // cancels its message as it happens (SendMessageDeadLetters); one deleted before that was so is
            // cancelled here, the same way.
            if (await store.CancelForJobAsync(jobId, $"its job {jobId} was deleted on the Hangfire dashboard", null, cancellationToken))
            {
                logger.LogWarning("Reconciler cancelled message {MessageId}: its job {JobId} was deleted", message.Id, jobId);
            }

            return null;
        }

        if (name == SucceededState.StateName && message.Status == MessageStatus.Scheduled)
        {
            return await ReplaceAsync(message, jobId, now, $"job {name.ToLowerInvariant()} but message never sent", cancellationToken);
        }

        if (name == EnqueuedState.StateName && Since(state!.Data, "EnqueuedAt") is { } enqueuedAt
            && now - enqueuedAt > Duration.FromSeconds(o.StuckAfterSeconds))
        {
            return Requeue(id, EnqueuedState.StateName, $"stuck in its queue since {enqueuedAt}");
        }

        if (name == ScheduledState.StateName && Since(state!.Data, "EnqueueAt") is { } dueAt
            && now - dueAt > Duration.FromSeconds(o.ReconcileGraceSeconds))
        {
            return Requeue(id, ScheduledState.StateName, $"scheduled for {dueAt} and never enqueued");
        }

        return null; // Processing, Awaiting, Failed (a dead letter), or recently enqueued: its job will act.
    }

    private string? Requeue(string jobId, string expected, string why) =>
        jobs.ChangeState(jobId, new EnqueuedState { Reason = $"Reconciler: {why}" }, expected) ? why : null;

    private async Task<string?> ReplaceAsync(Overdue message, long oldJobId, Instant now, string why, CancellationToken cancellationToken)
    {
        var newJobId = dispatcher.Create(message.Id, message.Channel, message.Kind, message.Recipient, message.ScheduledFor, now);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var swapped = await store.TransitionAsync(message.Id, new StatusChange(MessageStatus.Scheduled, MessageStatus.Unsettled, "job_replaced",
            $"reconciler: {why}; job {newJobId} replaces job {oldJobId}")
        {
            ExpectedJobId = oldJobId, NewJobId = newJobId,
        }, null, cancellationToken);
        if (swapped)
        {
            return $"{why}; job {newJobId} replaces job {oldJobId}";
        }

        // Someone else changed the message meanwhile: the new job finds it owned by another and does nothing.
        jobs.Delete(newJobId.ToString(CultureInfo.InvariantCulture));
        return null;
    }

    // Hangfire writes state dates as Unix milliseconds (compatibility level 1.8) or ISO 8601 (older); its helper reads both.
    private static Instant? Since(IDictionary<string, string>? data, string key) =>
        data is not null && data.TryGetValue(key, out var value) && Hangfire.Common.JobHelper.DeserializeNullableDateTime(value) is { } at
            ? Instant.FromDateTimeUtc(DateTime.SpecifyKind(at, DateTimeKind.Utc))
            : null;

    private async Task EventAsync(long messageId, string name, string detail, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into message_events (message_id, at, event, detail) values (@messageId, @now, @name, @detail)",
            new { messageId, now = clock.GetCurrentInstant(), name, detail = "reconciler: " + detail }, cancellationToken: cancellationToken));
    }

    private sealed record Overdue(long Id, Channel Channel, string Kind, string Recipient, Instant ScheduledFor, long? JobId, string Status);
}
