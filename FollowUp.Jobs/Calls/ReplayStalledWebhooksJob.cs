using System.ComponentModel;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// A Hangfire recurring job, every minute: processes call webhooks journaled more than a minute ago and
/// still <c>received</c> (the node that took them died before processing, and the platform did not retry).
/// Failed ones are left for a person to replay: their error needs reading first.
/// </summary>
internal sealed class ReplayStalledWebhooksJob(CallIntake intake)
{
    public const string RecurringId = "replay-stalled-webhooks";

    [DisplayName("Replay stalled call webhooks")]
    public Task RunAsync(CancellationToken cancellationToken) =>
        intake.ReplayStalledAsync(Duration.FromMinutes(1), cancellationToken);
}
