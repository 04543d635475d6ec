using System.Collections.Concurrent;
using System.Threading.Channels;
using FollowUp.Jobs.Engine.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// One node's worker: claims due jobs in batches, runs them on up to <c>Concurrency</c> slots (and
/// per-type limits), stores outcomes, and keeps its claims alive. It sleeps until the earliest of: a
/// NOTIFY or local enqueue, a slot freeing, the next due job's time, or the poll interval.
/// </summary>
internal sealed partial class JobWorker(
    JobStore store,
    JobRegistry registry,
    JobFilters filters,
    StateElector elector,
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    JobNotifier notifier,
    NodeIdentity node,
    JobMetrics metrics,
    IClock clock,
    IOptions<EngineOptions> options,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly EngineOptions _options = options.Value;
    private readonly ConcurrentDictionary<long, RunningJob> _running = new();
    private readonly Dictionary<string, int> _busyByType = new(StringComparer.Ordinal);
    private readonly Lock _busyGate = new();
    private readonly WakeSignal _wake = new();
    private readonly Channel<RunningJob> _succeeded = Channel.CreateUnbounded<RunningJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _jobsCts = new();
    private int _busy;
    private long _plannedWakeMs = long.MaxValue;

    /// <summary>True from start-up until shutdown begins; read by the readiness check.</summary>
    public bool IsRunning { get; private set; }

    public int InFlight => Volatile.Read(ref _busy);

    private Duration Lease => Duration.FromSeconds(_options.LeaseSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RunWorker)
        {
            return;
        }

        notifier.Enqueued += OnEnqueued;
        using var background = CancellationTokenSource.CreateLinkedTokenSource(_jobsCts.Token);
        var listen = Task.Run(() => ListenAsync(background.Token), CancellationToken.None);
        var heartbeat = Task.Run(() => HeartbeatAsync(background.Token), CancellationToken.None);
        var flush = Task.Run(() => FlushSucceededAsync(), CancellationToken.None);
        IsRunning = true;
        logger.LogInformation("Job worker {Node} started: {Concurrency} slots, types {Types}",
            node.Id, _options.Concurrency, string.Join(", ", registry.All.Select(d => d.Name)));

        await DispatchAsync(stoppingToken);

        IsRunning = false;
        notifier.Enqueued -= OnEnqueued;
        await DrainAsync();
        _succeeded.Writer.TryComplete();
        await flush;
        await background.CancelAsync();
        await Task.WhenAll(listen, heartbeat).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await MarkStoppedAsync();
        logger.LogInformation("Job worker {Node} stopped", node.Id);
    }

    private async Task DispatchAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ClaimAndStartAsync(stoppingToken))
                {
                    continue; // a full batch: more may be due right now
                }

                await WaitForWorkAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                failures++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(failures, 6))));
                logger.LogWarning(ex, "Claiming jobs failed ({Failures} in a row); retrying in {Backoff}", failures, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Claims what fits in the free slots; true when every slot asked for was filled.</summary>
    private async Task<bool> ClaimAndStartAsync(CancellationToken cancellationToken)
    {
        var want = Math.Min(_options.Concurrency - Volatile.Read(ref _busy), _options.BatchSize);
        if (want <= 0)
        {
            return false;
        }

        var asked = want;
        var now = clock.GetCurrentInstant();
        foreach (var (type, capacity) in LimitedCapacity())
        {
            if (want == 0)
            {
                break;
            }

            var take = Math.Min(capacity, want);
            want -= await ClaimAsync([type], take, now, cancellationToken);
        }

        var unlimited = UnlimitedTypes();
        if (want > 0 && unlimited.Length > 0)
        {
            want -= await ClaimAsync(unlimited, want, now, cancellationToken);
        }

        return want == 0 && asked > 0;
    }

    private async Task<int> ClaimAsync(string[] types, int limit, Instant now, CancellationToken cancellationToken)
    {
        var claimed = await store.ClaimAsync(node.Id, limit, now, now + Lease, types, cancellationToken);
        foreach (var job in claimed)
        {
            Start(job, now);
        }

        return claimed.Count;
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        var poll = TimeSpan.FromSeconds(_options.PollSeconds);
        var wait = poll;
        if (Volatile.Read(ref _busy) < _options.Concurrency)
        {
            var claimable = ClaimableTypes();
            var next = claimable.Length == 0 ? null : await store.NextDueAsync(claimable, cancellationToken);
            if (next is { } due)
            {
                var untilDue = (due - clock.GetCurrentInstant()).ToTimeSpan();
                wait = untilDue < poll ? untilDue : poll;
            }
        }

        Interlocked.Exchange(ref _plannedWakeMs, (clock.GetCurrentInstant() + Duration.FromTimeSpan(wait)).ToUnixTimeMilliseconds());
        if (wait > TimeSpan.Zero)
        {
            await _wake.WaitAsync(wait, cancellationToken);
        }

        Interlocked.Exchange(ref _plannedWakeMs, long.MaxValue);
    }

    /// <summary>A job was created (here or, through NOTIFY, elsewhere): wake if it is due before our timer.</summary>
    private void OnEnqueued(Instant runAt)
    {
        if (runAt.ToUnixTimeMilliseconds() <= Interlocked.Read(ref _plannedWakeMs))
        {
            _wake.Set();
        }
    }

    private List<(string Type, int Capacity)> LimitedCapacity()
    {
        lock (_busyGate)
        {
            return _options.ConcurrencyLimits
                .Where(l => registry.Find(l.Key) is not null)
                .Select(l => (l.Key, l.Value - _busyByType.GetValueOrDefault(l.Key)))
                .Where(l => l.Item2 > 0)
                .ToList();
        }
    }

    private string[] UnlimitedTypes() =>
        registry.All.Select(d => d.Name).Where(n => !_options.ConcurrencyLimits.ContainsKey(n)).ToArray();

    private string[] ClaimableTypes() => [.. UnlimitedTypes(), .. LimitedCapacity().Select(l => l.Type)];

    private void Start(ClaimedJob job, Instant claimedAt)
    {
        Interlocked.Increment(ref _busy);
        lock (_busyGate)
        {
            _busyByType[job.Type] = _busyByType.GetValueOrDefault(job.Type) + 1;
        }

        var running = new RunningJob(job, CancellationTokenSource.CreateLinkedTokenSource(_jobsCts.Token));
        _running[job.Id] = running;
        metrics.Lateness(job.Type, (claimedAt - job.RunAt).TotalMilliseconds);
        _ = Task.Run(() => RunAsync(running), CancellationToken.None);
    }

    private void FreeSlot(RunningJob running)
    {
        lock (_busyGate)
        {
            _busyByType[running.Job.Type] = _busyByType.GetValueOrDefault(running.Job.Type) - 1;
        }

        Interlocked.Decrement(ref _busy);
        _wake.Set();
    }

    /// <summary>
    /// Shutdown: wait for running jobs up to the timeout, then cancel them; a cancelled attempt is
    /// released back to Enqueued without counting (see <see cref="RunAsync"/>).
    /// </summary>
    private async Task DrainAsync()
    {
        var deadline = clock.GetCurrentInstant() + Duration.FromSeconds(_options.ShutdownTimeoutSeconds);
        while (Volatile.Read(ref _busy) > 0 && clock.GetCurrentInstant() < deadline)
        {
            await _wake.WaitAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }

        if (Volatile.Read(ref _busy) > 0)
        {
            logger.LogWarning("Shutdown timeout: cancelling {Count} running jobs and releasing them", Volatile.Read(ref _busy));
            await _jobsCts.CancelAsync();
            var hardDeadline = clock.GetCurrentInstant() + Duration.FromSeconds(10);
            while (Volatile.Read(ref _busy) > 0 && clock.GetCurrentInstant() < hardDeadline)
            {
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
        }
    }

    private async Task MarkStoppedAsync()
    {
        try
        {
            await store.MarkStoppedAsync(node.Id, clock.GetCurrentInstant(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not record node {Node} as stopped", node.Id);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _jobsCts.Dispose();
        _wake.Dispose();
    }

    /// <summary>A claimed attempt in this process, until its outcome is stored.</summary>
    private sealed class RunningJob(ClaimedJob job, CancellationTokenSource cancellation)
    {
        public ClaimedJob Job { get; } = job;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        /// <summary>Set when a heartbeat found the claim gone (rescued elsewhere).</summary>
        public volatile bool LeaseLost;
    }
}
