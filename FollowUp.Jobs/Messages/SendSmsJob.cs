using FollowUp.Jobs.Engine;

namespace FollowUp.Jobs.Messages;

/// <summary>Sends one SMS message (see <see cref="MessageSender"/>). Limit it per node with <c>ConcurrencyLimits:send-sms</c>.</summary>
[JobType("send-sms")]
internal sealed class SendSmsJob(MessageSender sender) : IJob<SendMessageArgs>
{
    public Task ExecuteAsync(SendMessageArgs args, JobContext context, CancellationToken cancellationToken) =>
        sender.SendAsync(args.MessageId, context, cancellationToken);
}
