using FollowUp.Jobs.Engine;

namespace FollowUp.Jobs.Messages;

/// <summary>Sends one email message (see <see cref="MessageSender"/>).</summary>
[JobType("send-email")]
internal sealed class SendEmailJob(MessageSender sender) : IJob<SendMessageArgs>
{
    public Task ExecuteAsync(SendMessageArgs args, JobContext context, CancellationToken cancellationToken) =>
        sender.SendAsync(args.MessageId, context, cancellationToken);
}
