namespace FollowUp.Jobs.Messages;

/// <summary>
/// A message's status words: <c>scheduled → sending → sent → delivered |
/// undelivered | failed</c>; or <c>cancelled</c>, <c>skipped</c> (with a reason), <c>dead_lettered</c>.
/// </summary>
public static class MessageStatus
{
    public const string Scheduled = "scheduled";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Skipped = "skipped";
    public const string DeadLettered = "dead_lettered";
}
