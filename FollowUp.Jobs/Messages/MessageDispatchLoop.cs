using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// On every server: every <c>DispatchPollMilliseconds</c> (1 s), creates the jobs of scheduled messages
/// that have had none for a second (committed in a developer's transaction, or left by a crash right
/// after a commit), then the delivery jobs of pending business notifications (written in the
/// transactions of the changes they report, which leave their dispatch to this loop).
/// Two indexed look-ups when there is nothing to do.
/// </summary>
internal sealed class MessageDispatchLoop(MessageDispatcher dispatcher, Notifications.NotificationDispatcher notifications,
    IOptions<EngineOptions> options, NodaTime.IClock clock, ILogger<MessageDispatchLoop> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    // Messages younger than this are left to the committer that is dispatching them right now: taking
    // their rows first would make its own dispatch skip them (SKIP LOCKED), so its caller would not see
    // the job id it expects. A developer's transaction is therefore dispatched within about 2 s.
    private static readonly NodaTime.Duration Grace = NodaTime.Duration.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.DispatchPollMilliseconds);
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                // A full batch means more may be waiting: go again at once.
                while (await dispatcher.DispatchAsync(null, BatchSize, stoppingToken, clock.GetCurrentInstant() - Grace) == BatchSize)
                {
                }

                while (await notifications.DispatchAsync(BatchSize, stoppingToken) == BatchSize)
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
