using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

internal sealed partial class JobWorker
{
    /// <summary>Stores successes in batches: one statement for all that finished since the last write.</summary>
    private async Task FlushSucceededAsync()
    {
        var reader = _succeeded.Reader;
        var batch = new List<RunningJob>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 2_000 && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            var failures = 0;
            while (true)
            {
                try
                {
                    var stored = await store.SucceedManyAsync(
                        node.Id, batch.Select(b => b.Job.Id).ToArray(), batch.Select(b => b.Job.Attempt).ToArray(),
                        clock.GetCurrentInstant(), CancellationToken.None);
                    var storedSet = stored.ToHashSet();
                    foreach (var item in batch)
                    {
                        if (storedSet.Contains(item.Job.Id))
                        {
                            metrics.Succeeded(item.Job.Type);
                        }
                        else
                        {
                            logger.LogWarning("Job {JobId} attempt {Attempt} succeeded after its claim was lost; it may run again elsewhere",
                                item.Job.Id, item.Job.Attempt);
                        }
                    }

                    break;
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    // Keep the batch and its leases (they stay in _running, so heartbeats extend them)
                    // until the database answers again.
                    failures++;
                    logger.LogWarning(ex, "Storing {Count} successes failed ({Failures} in a row); retrying", batch.Count, failures);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * failures)));
                    if (failures > 600)
                    {
                        logger.LogError("Giving up storing {Count} successes; those jobs will be rescued and run again", batch.Count);
                        break;
                    }
                }
            }

            foreach (var item in batch)
            {
                _running.TryRemove(item.Job.Id, out _);
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// Every third of the lease: marks the node alive, extends its claims, and cancels any attempt
    /// whose claim is gone. If the database has not answered for a whole lease, every claim may have
    /// been rescued, so every running attempt is cancelled.
    /// </summary>
    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, _options.LeaseSeconds / 3.0));
        var lastSuccess = clock.GetCurrentInstant();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var ids = _running.Keys.ToArray();
                var now = clock.GetCurrentInstant();
                var held = (await store.HeartbeatAsync(node, ids, now, now + Lease, cancellationToken)).ToHashSet();
                lastSuccess = now;
                foreach (var id in ids)
                {
                    if (!held.Contains(id) && _running.TryGetValue(id, out var running) && !running.LeaseLost)
                    {
                        running.LeaseLost = true;
                        logger.LogWarning("Lost the claim on job {JobId}; cancelling its attempt", id);
                        await CancelQuietlyAsync(running);
                    }
                }

                metrics.QueueDepth(await store.QueueDepthAsync(now, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(ex, "Heartbeat of node {Node} failed", node.Id);
                if (clock.GetCurrentInstant() - lastSuccess > Lease)
                {
                    foreach (var running in _running.Values.Where(r => !r.LeaseLost))
                    {
                        running.LeaseLost = true;
                        await CancelQuietlyAsync(running);
                    }
                }
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task CancelQuietlyAsync(RunningJob running)
    {
        try
        {
            await running.Cancellation.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The attempt finished meanwhile.
        }
    }

    /// <summary>LISTEN on a dedicated connection; reconnects after a failure and wakes once to catch up.</summary>
    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, e) =>
                {
                    if (long.TryParse(e.Payload, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
                    {
                        OnEnqueued(Instant.FromUnixTimeMilliseconds(ms));
                    }
                    else
                    {
                        _wake.Set();
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {JobNotifier.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                _wake.Set(); // anything enqueued while we were not listening
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or System.IO.IOException)
            {
                logger.LogWarning(ex, "LISTEN connection lost; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
