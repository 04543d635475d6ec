using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Dapper;
using FollowUp.Jobs.Engine;
using FollowUp.Web.Dashboard.Access;
using Npgsql;

namespace FollowUp.Web.Dashboard.Jobs;

/// <summary>
/// Runs bulk actions server-side, in batches of <see cref="BatchSize"/> ids: requeue / cancel of every
/// job matching a search, each through the same guarded transition as a single click
/// (<see cref="IJobClient.RequeueAsync"/>, <see cref="IJobClient.CancelAsync"/>), and requeue of every
/// open dead letter (<see cref="FollowUp.Jobs.Engine.DeadLetters.RequeueAsync"/>, so a discarded one is
/// never revived). Progress is kept in memory on the node that runs it; the audit log gets one entry
/// when it ends. A restart stops an operation part-way: what it did stays done, and running it again
/// picks up what still matches.
/// </summary>
internal sealed class BulkOperations(
    JobQueries queries, IJobClient jobs, FollowUp.Jobs.Messages.IMessageClient messages, FollowUp.Jobs.Engine.DeadLetters deadLetters, NpgsqlDataSource dataSource, AuditLog audit,
    IHostApplicationLifetime lifetime, ILogger<BulkOperations> logger)
{
    public const int BatchSize = 500;

    private readonly ConcurrentDictionary<Guid, BulkOperation> _operations = new();

    public BulkOperation? Find(Guid id) => _operations.GetValueOrDefault(id);

    /// <summary>Starts acting on every job matching <paramref name="search"/>; returns at once.</summary>
    public async Task<BulkOperation> StartAsync(string action, JobSearch search, string actor, CancellationToken cancellationToken)
    {
        var total = await queries.CountAsync(search, cancellationToken);
        return Start(new BulkOperation(Guid.NewGuid(), action, search.Describe(), actor, total), $"jobs.bulk_{action}",
            token => MatchingJobsAsync(search, token), (id, token) => ActAsync(action, id, actor, token));
    }

    private const string CountOpenSql = "select count(*) from dead_letters where resolution is null";

    /// <summary>Starts requeueing every open dead letter; returns at once.</summary>
    public async Task<BulkOperation> StartRequeueDeadLettersAsync(string actor, CancellationToken cancellationToken)
    {
        long total;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountOpenSql, cancellationToken: cancellationToken));
        }

        return Start(new BulkOperation(Guid.NewGuid(), "requeue", "open dead letters", actor, total), "dead_letters.bulk_requeue",
            OpenDeadLettersAsync, (id, token) => deadLetters.RequeueAsync(id, actor, token));
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

    private BulkOperation Start(
        BulkOperation operation, string auditAction, Func<CancellationToken, IAsyncEnumerable<long>> ids, Func<long, CancellationToken, Task<bool>> act)
    {
        _operations[operation.Id] = operation;
        _ = Task.Run(() => RunAsync(operation, auditAction, ids, act, lifetime.ApplicationStopping), CancellationToken.None);
        return operation;
    }

    private async Task RunAsync(
        BulkOperation operation, string auditAction, Func<CancellationToken, IAsyncEnumerable<long>> ids,
        Func<long, CancellationToken, Task<bool>> act, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            await foreach (var id in ids(cancellationToken).WithCancellation(cancellationToken))
            {
                operation.Step(await act(id, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = cancellationToken.IsCancellationRequested ? "Stopped by a shutdown of this node." : ex.Message;
            logger.LogError(ex, "Bulk {Action} {Id} stopped after {Processed}", auditAction, operation.Id, operation.Processed);
        }

        operation.Finish(error);
        await audit.WriteAsync(operation.Actor, auditAction, $"all matching: {operation.Description}",
            new { matched = operation.Total },
            new { processed = operation.Processed, changed = operation.Changed, error }, CancellationToken.None);
    }

    /// <summary>Matching job ids in ascending order, a batch at a time (keyset on id).</summary>
    private async IAsyncEnumerable<long> MatchingJobsAsync(JobSearch search, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = 0L;
        while (true)
        {
            var batch = await queries.MatchingIdsAsync(search, after, BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                yield break;
            }

            foreach (var id in batch)
            {
                yield return id;
            }

            after = batch[^1];
        }
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

    private Task<bool> ActAsync(string action, long id, string actor, CancellationToken cancellationToken) => action switch
    {
        "requeue" => jobs.RequeueAsync(id, actor, null, cancellationToken),
        "cancel" => messages.CancelJobAsync(id, actor, cancellationToken), // a send job's message follows it
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "A bulk action is requeue or cancel."),
    };
}
