namespace FollowUp.Jobs.Calls;

/// <summary>
/// What one call changes: the messages to record, and which pending messages to cancel first
/// (an appointment's reminders, a customer's nurture), each with the reason shown on them.
/// </summary>
public sealed record FollowUpPlan(IReadOnlyList<PlannedMessage> Messages)
{
    /// <summary>The appointment whose pending reminders are cancelled, or null.</summary>
    public string? CancelRemindersOf { get; init; }

    public string? CancelRemindersReason { get; init; }

    /// <summary>True when the customer's pending nurture is cancelled (they booked).</summary>
    public bool CancelNurture { get; init; }
}
