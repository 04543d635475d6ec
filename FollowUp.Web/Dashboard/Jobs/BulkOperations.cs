using System.Collections.Concurrent;
using FollowUp.Jobs.Engine;
using FollowUp.Web.Dashboard.Access;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>
/// Runs bulk requeue / cancel server-side, in batches of <see cref="BatchSize"/> ids, each job through
/// the same guarded transition as a single click (<see cref="IJobClient.RequeueAsync"/>,
/// <see cref="IJobClient.CancelAsync"/>). Progress is kept in memory on the node that runs it; the
/// audit log gets one entry when it ends. A restart stops an operation part-way: what it did stays
/// done, and running it again picks up what still matches.
/// </summary>
internal sealed class BulkOperations(
    JobQueries queries, IJobClient jobs, AuditLog audit, IHostApplicationLifetime lifetime, ILogger<BulkOperations> logger)
{
    public const int BatchSize = 500;

    private readonly ConcurrentDictionary<Guid, BulkOperation> _operations = new();

    public BulkOperation? Find(Guid id) => _operations.GetValueOrDefault(id);

    /// <summary>Starts acting on every job matching <paramref name="search"/>; returns at once.</summary>
    public async Task<BulkOperation> StartAsync(string action, JobSearch search, string actor, CancellationToken cancellationToken)
    {
        var total = await queries.CountAsync(search, cancellationToken);
        var operation = new BulkOperation(Guid.NewGuid(), action, search.Describe(), actor, total);
        _operations[operation.Id] = operation;
        _ = Task.Run(() => RunAsync(operation, search, lifetime.ApplicationStopping), CancellationToken.None);
        return operation;
    }

    /// <summary>Acts on the given ids now (a selection from one page) and returns how many changed.</summary>
    public async Task<(int Changed, int Skipped)> ApplyAsync(string action, IReadOnlyList<long> ids, string actor, CancellationToken cancellationToken)
    {
        var changed = new List<long>();
        foreach (var id in ids)
        {
            if (await ActAsync(action, id, actor, cancellationToken))
            {
                changed.Add(id);
            }
        }

        await audit.WriteAsync(actor, $"jobs.bulk_{action}", "selected jobs",
            new { selected = ids }, new { changed, skipped = ids.Except(changed).ToList() }, cancellationToken);
        return (changed.Count, ids.Count - changed.Count);
    }

    private async Task RunAsync(BulkOperation operation, JobSearch search, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            var after = 0L;
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = await queries.MatchingIdsAsync(search, after, BatchSize, cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var id in batch)
                {
                    operation.Step(await ActAsync(operation.Action, id, operation.Actor, cancellationToken));
                }

                after = batch[^1];
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = cancellationToken.IsCancellationRequested ? "Stopped by a shutdown of this node." : ex.Message;
            logger.LogError(ex, "Bulk {Action} {Id} stopped after {Processed} jobs", operation.Action, operation.Id, operation.Processed);
        }

        operation.Finish(error);
        await audit.WriteAsync(operation.Actor, $"jobs.bulk_{operation.Action}", $"all matching: {operation.Description}",
            new { matched = operation.Total },
            new { processed = operation.Processed, changed = operation.Changed, error }, CancellationToken.None);
    }

    private Task<bool> ActAsync(string action, long id, string actor, CancellationToken cancellationToken) => action switch
    {
        "requeue" => jobs.RequeueAsync(id, actor, null, cancellationToken),
        "cancel" => jobs.CancelAsync(id, actor, null, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "A bulk action is requeue or cancel."),
    };
}
