using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using FollowUp.Web.Dashboard.Access;

namespace FollowUp.Web.Dashboard.DeadLetters;

/// <summary>
/// Requeues every open dead letter server-side, in batches of <see cref="BatchSize"/>, each through the
/// same door as a single click (<see cref="FollowUp.Jobs.Engine.DeadLetters.RequeueAsync"/>, so a discarded
/// one is never revived). Progress is kept in memory on the node that runs it; the audit log gets one
/// entry when it ends. At most <see cref="MaxRunning"/> run at once on a node; a finished one is
/// forgotten after <see cref="KeepFinished"/>. A restart stops an operation part-way: what it did stays
/// done, and running it again picks up what is still open.
/// </summary>
internal sealed class BulkOperations(
    FollowUp.Jobs.Engine.DeadLetters deadLetters, AuditLog audit, IHostApplicationLifetime lifetime, ILogger<BulkOperations> logger)
{
    public const int BatchSize = 500;
    public const int MaxRunning = 2;
    public static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<Guid, (BulkOperation Operation, long FinishedAt)> _operations = new();

    public BulkOperation? Find(Guid id) => _operations.TryGetValue(id, out var entry) ? entry.Operation : null;

    /// <summary>Starts requeueing every open dead letter; returns at once, or null when <see cref="MaxRunning"/> already run.</summary>
    public async Task<BulkOperation?> StartRequeueDeadLettersAsync(string actor, CancellationToken cancellationToken)
    {
        Evict();
        if (_operations.Values.Count(e => !e.Operation.Finished) >= MaxRunning)
        {
            return null;
        }

        var total = await deadLetters.CountOpenAsync(cancellationToken);
        var operation = new BulkOperation(Guid.NewGuid(), "requeue", "open dead letters", actor, total);
        _operations[operation.Id] = (operation, long.MaxValue);
        _ = Task.Run(() => RunAsync(operation, lifetime.ApplicationStopping), CancellationToken.None);
        return operation;
    }

    private void Evict()
    {
        var now = Environment.TickCount64;
        foreach (var (id, entry) in _operations)
        {
            if (entry.Operation.Finished && entry.FinishedAt != long.MaxValue && now - entry.FinishedAt > (long)KeepFinished.TotalMilliseconds)
            {
                _operations.TryRemove(id, out _);
            }
        }
    }

    private async Task RunAsync(BulkOperation operation, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            await foreach (var id in OpenDeadLettersAsync(cancellationToken).WithCancellation(cancellationToken))
            {
                operation.Step(await deadLetters.RequeueAsync(id, operation.Actor, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = cancellationToken.IsCancellationRequested ? "Stopped by a shutdown of this node." : ex.Message;
            logger.LogError(ex, "Bulk requeue {Id} stopped after {Processed}", operation.Id, operation.Processed);
        }

        operation.Finish(error);
        _operations[operation.Id] = (operation, Environment.TickCount64);
        await audit.WriteAsync(operation.Actor, "dead_letters.bulk_requeue", $"all matching: {operation.Description}",
            new { matched = operation.Total },
            new { processed = operation.Processed, changed = operation.Changed, error }, CancellationToken.None);
    }

    /// <summary>Open dead-letter ids, newest first, a batch at a time (keyset on id).</summary>
    private async IAsyncEnumerable<long> OpenDeadLettersAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? before = null;
        while (true)
        {
            var batch = await deadLetters.ListOpenAsync(BatchSize, before, cancellationToken);
            if (batch.Count == 0)
            {
                yield break;
            }

            foreach (var letter in batch)
            {
                yield return letter.Id;
            }

            before = batch[^1].Id;
        }
    }
}
