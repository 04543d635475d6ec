using FollowUp.Jobs.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// On every server: every <c>DispatchPollMilliseconds</c> (1 s), creates the jobs of scheduled messages
/// that have none (committed in a developer's transaction, or left by a crash right after a commit).
/// One indexed look-up when there is nothing to do.
/// </summary>
internal sealed class MessageDispatchLoop(MessageDispatcher dispatcher, IOptions<EngineOptions> options, ILogger<MessageDispatchLoop> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.DispatchPollMilliseconds);
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                // A full batch means more may be waiting: go again at once.
                while (await dispatcher.DispatchAsync(null, BatchSize, stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Dispatching unsent messages failed; trying again in {Interval}", interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
