using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using FollowUp.Web.Dashboard.Access;

namespace FollowUp.Web.Dashboard.DeadLetters;

/// <summary>
/// Requeue, discard, and edit-and-retry of dead letters: the engine's <see cref="FollowUp.Jobs.Engine.DeadLetters"/>
/// (the same calls as the API's) and <see cref="IMessageClient.EditAsync"/>, each audited.
/// </summary>
internal sealed class DeadLetterActions(FollowUp.Jobs.Engine.DeadLetters deadLetters, IMessageClient messages, AuditLog audit)
{
    public async Task<(bool Done, string Message)> RequeueAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var letter = await deadLetters.FindAsync(id, cancellationToken);
        if (letter is null)
        {
            return (false, $"There is no dead letter {id}.");
        }

        if (!await deadLetters.RequeueAsync(id, actor, cancellationToken))
        {
            return (false, $"Dead letter {id} was {letter.Resolution?.ToLowerInvariant() ?? "resolved"} already (job {letter.JobId}).");
        }

        await audit.WriteAsync(actor, "dead_letter.requeue", $"dead letter {id} (job {letter.JobId})",
            new { letter.Resolution, JobState = "Failed" },
            new { Resolution = "Requeued", JobState = "Enqueued" }, cancellationToken);
        return (true, $"Dead letter {id} requeued: job {letter.JobId} runs again.");
    }

    public async Task<(bool Done, string Message)> DiscardAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var letter = await deadLetters.FindAsync(id, cancellationToken);
        if (letter is null)
        {
            return (false, $"There is no dead letter {id}.");
        }

        if (!await deadLetters.DiscardAsync(id, actor, cancellationToken))
        {
            return (false, $"Dead letter {id} was {letter.Resolution?.ToLowerInvariant() ?? "resolved"} already.");
        }

        await audit.WriteAsync(actor, "dead_letter.discard", $"dead letter {id} (job {letter.JobId})",
            new { letter.Resolution }, new { Resolution = "Discarded" }, cancellationToken);
        return (true, $"Dead letter {id} discarded.");
    }

    /// <summary>
    /// Applies the edit to the message, held to the rules the API applies (<see cref="MessageContentValidator"/>:
    /// the recipient fits the channel, a subject of one line, body limits), then requeues the dead letter.
    /// Problems are per field: "to", "subject", "body", or "" for the whole action; with any, nothing changed.
    /// </summary>
    public async Task<Dictionary<string, string>> EditAndRetryAsync(
        long id, MessageInfo message, MessageEdit edit, string actor, CancellationToken cancellationToken)
    {
        var channel = message.Channel;
        var after = new MessageContent(channel, edit.Recipient ?? message.Recipient,
            channel == Channel.Email ? edit.Subject ?? message.Subject : null, edit.Body ?? message.Body);
        var problems = new Dictionary<string, string>(MessageContentValidator.Instance.Problems(after), StringComparer.Ordinal);
        if (problems.Count > 0)
        {
            return problems;
        }

        // The audit records a number as it is stored (E.164).
        if (channel == Channel.Sms && edit.Recipient is { } to)
        {
            edit = edit with { Recipient = E164.Normalize(to) };
        }

        if (!await messages.EditAsync(message.Id, edit, actor, cancellationToken))
        {
            problems[""] = $"Message {message.Id} is {message.Status} now and can no longer be edited.";
            return problems;
        }

        var (done, result) = await RequeueAsync(id, actor, cancellationToken);
        await audit.WriteAsync(actor, "message.edit", $"message {message.Id} (dead letter {id})",
            new { to = message.Recipient, message.Subject, message.Body },
            new { to = edit.Recipient ?? message.Recipient, subject = edit.Subject ?? message.Subject, body = edit.Body ?? message.Body },
            cancellationToken);
        if (!done)
        {
            problems[""] = "The message was edited, but " + result;
        }

        return problems;
    }
}
