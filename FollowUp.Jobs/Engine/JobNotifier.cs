using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Wakes workers when jobs are created. A worker in this process is woken directly; other nodes by
/// <c>NOTIFY followup_jobs</c> with the earliest run time as payload (unix ms), so a node can move its
/// timer forward for a delayed job. Commits that NOTIFY serialise on a database-wide lock, so after a
/// committed enqueue the notify is coalesced: at most one per <see cref="MinInterval"/> for all the
/// enqueues in between, sent outside the caller's transaction.
/// </summary>
internal sealed class JobNotifier(NpgsqlDataSource dataSource, ILogger<JobNotifier> logger) : IDisposable
{
    public const string Channel = "followup_jobs";
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(5);

    private readonly WakeSignal _pending = new();
    private readonly object _gate = new();
    private long _earliestMs = long.MaxValue;
    private Task? _loop;
    private CancellationTokenSource? _stop;

    /// <summary>Raised in-process with the earliest run time of newly committed jobs.</summary>
    public event Action<Instant>? Enqueued;

    /// <summary>The SQL fragment a transaction-bound enqueue adds so the NOTIFY is sent at its commit.</summary>
    public static string NotifyInTransactionSql => $"select pg_notify('{Channel}', @notifyPayload)";

    /// <summary>Called after jobs with the given earliest run time were committed.</summary>
    public void Committed(Instant earliestRunAt)
    {
        Enqueued?.Invoke(earliestRunAt);
        lock (_gate)
        {
            _earliestMs = Math.Min(_earliestMs, earliestRunAt.ToUnixTimeMilliseconds());
        }

        _pending.Set();
        EnsureStarted();
    }

    private void EnsureStarted()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (_loop is null)
            {
                _stop = new CancellationTokenSource();
                _loop = Task.Run(() => RunAsync(_stop.Token));
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _pending.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);
                long earliest;
                lock (_gate)
                {
                    earliest = _earliestMs;
                    _earliestMs = long.MaxValue;
                }

                if (earliest == long.MaxValue)
                {
                    continue;
                }

                await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        $"select pg_notify('{Channel}', @payload)",
                        new { payload = earliest.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        cancellationToken: cancellationToken));
                }

                await Task.Delay(MinInterval, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Losing a NOTIFY delays other nodes by at most their poll interval; nothing is lost.
                logger.LogWarning(ex, "Could not send NOTIFY {Channel}", Channel);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public void Dispose()
    {
        _stop?.Cancel();
        // Let the loop observe the cancellation before its semaphore goes away.
        _loop?.Wait(TimeSpan.FromSeconds(2));
        _stop?.Dispose();
        _pending.Dispose();
    }
}
