namespace FollowUp.Jobs.Messages;

/// <summary>The send jobs' arguments: the message's id; everything else is re-read at each attempt.</summary>
public sealed record SendMessageArgs(long MessageId);
