namespace FollowUp.Jobs.Messages;

/// <summary>
/// A message's status words: <c>scheduled → sending → sent → delivered | undelivered | failed</c>; or
/// <c>cancelled</c>, <c>skipped</c> (with a reason), <c>dead_lettered</c>. <see cref="All"/> is the one list
/// of them (the table's check constraint, the dashboard's tabs and the state counts follow it); the named
/// sets below are the starting statuses each transition allows, passed to the one guarded update
/// (<c>MessageStore.TransitionAsync</c>) and never retyped in a query.
/// </summary>
public static class MessageStatus
{
    /// <summary>Waiting for its job (planned, deferred, retried, or requeued).</summary>
    public const string Scheduled = "scheduled";

    /// <summary>An attempt has begun calling a provider (checkpoint).</summary>
    public const string Sending = "sending";

    /// <summary>A provider accepted it.</summary>
    public const string Sent = "sent";

    /// <summary>The provider reported it delivered.</summary>
    public const string Delivered = "delivered";

    /// <summary>The provider reported it undelivered.</summary>
    public const string Undelivered = "undelivered";

    /// <summary>The provider reported it failed.</summary>
    public const string Failed = "failed";

    /// <summary>Cancelled (by a person, a later call, a discarded dead letter, a deleted job); never sent afterwards.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Not sent, for a reason (opted out, no email address, daily limit, …).</summary>
    public const string Skipped = "skipped";

    /// <summary>Its job's attempts ran out (or failed permanently): waiting for a person to requeue or discard it.</summary>
    public const string DeadLettered = "dead_lettered";

    /// <summary>Every status, in the order the dashboard lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Scheduled, Sending, Sent, Delivered, Undelivered, Failed, Cancelled, Skipped, DeadLettered];

    /// <summary>
    /// May still be sent by its job: waiting, mid-send (an attempt that died), or reported failed and
    /// retried by a person. Not <c>dead_lettered</c>: a dead letter is sent again only after a requeue has
    /// moved it back to <c>scheduled</c>, so a discarded one is never sent by any door.
    /// </summary>
    public static IReadOnlyList<string> Sendable { get; } = [Scheduled, Sending, Failed, Undelivered];

    /// <summary>Has not gone out and may be cancelled: scheduled, or dead-lettered and waiting for a person.</summary>
    public static IReadOnlyList<string> Pending { get; } = [Scheduled, DeadLettered];

    /// <summary>May be edited: not gone out, or reported failed (an edit and retry).</summary>
    public static IReadOnlyList<string> Editable { get; } = [Scheduled, DeadLettered, Failed, Undelivered];

    /// <summary>May be moved to a later time by its own attempt (business or recipient hours).</summary>
    public static IReadOnlyList<string> Deferrable { get; } = [Scheduled, Sending];

    /// <summary>An attempt is calling a provider: what an attempt's outcome (sent, failed) moves from.</summary>
    public static IReadOnlyList<string> InFlight { get; } = [Sending];

    /// <summary>What a dead-lettered job's message moves from to <c>dead_lettered</c>.</summary>
    public static IReadOnlyList<string> DeadLetterable { get; } = [Scheduled, Sending, Failed];

    /// <summary>What a requeue of its dead letter moves back to <c>scheduled</c>.</summary>
    public static IReadOnlyList<string> Requeueable { get; } = [DeadLettered, Failed];

    /// <summary>Overdue when past its time: the reconciler checks these against their jobs.</summary>
    public static IReadOnlyList<string> Unsettled { get; } = [Scheduled, Sending];

    /// <summary>An attempt began: counted against the per-recipient daily limit.</summary>
    public static IReadOnlyList<string> Attempted { get; } = [Sending, Sent, Delivered, Undelivered, Failed];

    /// <summary>
    /// What a copy a provider proves it already has (found by a lookup before sending again, or named by a
    /// status callback whose attempt's node died) moves to <c>sent</c> from, without sending.
    /// </summary>
    public static IReadOnlyList<string> Adoptable { get; } = [Scheduled, Sending];

    /// <summary>What a provider's <c>sent</c> callback moves forward from.</summary>
    public static IReadOnlyList<string> BeforeSent { get; } = [Sending];

    /// <summary>What a provider's final callback (delivered, undelivered, failed) moves forward from.</summary>
    public static IReadOnlyList<string> BeforeFinal { get; } = [Sending, Sent];
}
