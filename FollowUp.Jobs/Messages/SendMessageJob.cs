using System.ComponentModel;
using System.Globalization;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Engine;
using Hangfire.Server;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// The Hangfire job that sends one message: every planned or ad-hoc message has exactly one. It takes
/// the message id (everything else is re-read at each attempt by <see cref="MessageSender"/>) and a
/// label for people reading the dashboard; the label is never used to send.
/// </summary>
/// <remarks>
/// A job that finds its message owned by another job (a duplicate left by a crash between creating a
/// job and recording it, or a job replaced by the reconciler) does nothing: one message, one sender.
/// <para>
/// Every attempt first claims its message (<see cref="SendClaims"/>): a second run of the same job at once
/// (a Requeue of a Processing job) or of another job for the same message waits for the first, then finds
/// the message sent and sends nothing.
/// </para>
/// </remarks>
internal sealed class SendMessageJob(MessageSender sender, MessageStore store, SendClaims claims, IClock clock)
{
    /// <summary>Sends message <paramref name="messageId"/>; Hangfire supplies the context and token.</summary>
    [DisplayName("{1} (message {0})")]
    public async Task SendAsync(long messageId, string label, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var jobId = long.Parse(context.BackgroundJob.Id, CultureInfo.InvariantCulture);
        var attempt = context.GetJobParameter<int>(FixedRetryAttribute.RetryCountParameter) + 1;
        if (!await store.AdoptAsync(messageId, jobId, cancellationToken))
        {
            // Checkpoint: another job owns this message; sending here would send it twice.
            return;
        }

        await using var claim = await claims.ClaimAsync(messageId, cancellationToken);
        if (claim is null)
        {
            // Checkpoint: another attempt has held the message for longer than any provider call takes.
            // Not an attempt of this job's: it runs again later, when that one has settled the message.
            var until = clock.GetCurrentInstant() + Duration.FromTimeSpan(SendClaims.WaitLimit);
            throw new JobDeferredException(until, $"another attempt of message {messageId} is still in progress");
        }

        await sender.SendAsync(messageId, new SendAttempt(jobId, attempt), cancellationToken);
    }

    /// <summary>What the dashboard shows for a send job: "SMS reminder_24h to +1212…0123".</summary>
    public static string Label(Channel channel, string kind, string recipient) =>
        $"{channel.Label} {kind} to {Mask(recipient)}";

    /// <summary>Enough of a recipient to recognise it, not enough to harvest it from the dashboard.</summary>
    public static string Mask(string recipient)
    {
        var at = recipient.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            return recipient[..1] + "…" + recipient[at..];
        }

        return recipient.Length > 9 ? recipient[..5] + "…" + recipient[^4..] : recipient;
    }
}
