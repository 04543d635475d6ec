using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// On every node (web-only ones too): creates the jobs of every outbox's waiting rows, in batches of
/// <see cref="BatchSize"/>, as soon as a committer in this process signals (<see cref="OutboxSignal"/>) and
/// at least every <c>DispatchPollMilliseconds</c> for rows other processes committed or a crash left
/// (a developer's own transaction, a node that died after its commit). One indexed look-up per outbox
/// when there is nothing to do.
/// </summary>
internal sealed class OutboxLoop(IEnumerable<IOutboxDrain> outboxes, OutboxSignal signal, IOptions<EngineOptions> options,
    ILogger<OutboxLoop> logger) : BackgroundService
{
    /// <summary>Rows per transaction: large enough that the commit is shared by many jobs, small enough to hold row locks briefly.</summary>
    public const int BatchSize = 100;

    private readonly IOutboxDrain[] _outboxes = outboxes.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.DispatchPollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var failed = false;
            foreach (var outbox in _outboxes)
            {
                try
                {
                    // A full batch means more may be waiting: go again at once.
                    while (await outbox.DispatchWaitingAsync(BatchSize, stoppingToken) == BatchSize)
                    {
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    failed = true;
                    logger.LogWarning(ex, "Creating the jobs of waiting {Outbox} failed; trying again in {Interval}", outbox.Name, interval);
                }
            }

            try
            {
                if (failed)
                {
                    // A signal must not turn a database outage into a busy loop: wait out the interval.
                    await Task.Delay(interval, stoppingToken);
                }
                else
                {
                    await signal.WaitAsync(interval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
