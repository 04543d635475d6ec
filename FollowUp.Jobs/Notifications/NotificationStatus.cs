namespace FollowUp.Jobs.Notifications;

/// <summary>
/// A business notification's status words; <see cref="All"/> is the one list (the table's check constraint
/// follows it) and the named sets are the starting statuses <see cref="NotificationStore.TransitionAsync"/> allows.
/// </summary>
internal static class NotificationStatus
{
    /// <summary>Waiting for (or retrying) its delivery job.</summary>
    public const string Pending = "pending";

    /// <summary>The receiver answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Its job's attempts ran out: waiting for a person to requeue or discard it.</summary>
    public const string DeadLettered = "dead_lettered";

    /// <summary>Never delivered on purpose: the client has no URL any more, its dead letter was discarded, or its job was deleted.</summary>
    public const string Dropped = "dropped";

    public static IReadOnlyList<string> All { get; } = [Pending, Delivered, DeadLettered, Dropped];

    /// <summary>What a delivery attempt's outcome, a dead letter and a deleted job move from.</summary>
    public static IReadOnlyList<string> Waiting { get; } = [Pending];

    /// <summary>What a requeue or a discard of its dead letter moves from.</summary>
    public static IReadOnlyList<string> Parked { get; } = [DeadLettered];
}
