using FollowUp.Jobs.Channels;
using NodaTime;

namespace FollowUp.Jobs.Conversations;

/// <summary>
/// One entry of a conversation: an outbound message (any status; <see cref="At"/> is when it went out,
/// or is planned to) or an inbound reply (<see cref="Status"/> <c>unread</c>/<c>read</c>, with its <see cref="Action"/>).
/// </summary>
public sealed record ConversationItem
{
    /// <summary><c>outbound</c> or <c>inbound</c>.</summary>
    public string Direction { get; init; } = "";

    /// <summary>The message id (outbound) or the inbound SMS id.</summary>
    public long Id { get; init; }

    public Instant At { get; init; }

    /// <summary>The message kind (outbound).</summary>
    public string? Kind { get; init; }

    public Channel Channel { get; init; } = Channel.Sms;

    public string? Subject { get; init; }

    public string Body { get; init; } = "";

    public string Status { get; init; } = "";

    public string? CallId { get; init; }

    public string? AppointmentId { get; init; }

    /// <summary>What an inbound reply did (see <see cref="InboundOutcome"/>).</summary>
    public string? Action { get; init; }

    /// <summary>For an inbound reply, the message it answers.</summary>
    public long? AnswersMessageId { get; init; }

    /// <summary>Who wrote an outbound message's body: <c>template</c> or <c>ai</c> (null for a reply).</summary>
    public string? WrittenBy { get; init; }
}
