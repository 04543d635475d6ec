namespace FollowUp.Jobs.Messages;

/// <summary>
/// Pending messages to cancel for one client: an appointment's reminders (<c>reminder_24h</c>,
/// <c>reminder_1h</c>) and/or a customer's nurture (<c>nurture_day1</c>, <c>nurture_day4</c>), each with
/// the reason recorded on the cancelled messages.
/// </summary>
public sealed record PendingCancellation(string ClientId)
{
    public string? RemindersOfAppointment { get; init; }

    public string? RemindersReason { get; init; }

    /// <summary>The customer's E.164 phone.</summary>
    public string? NurtureOfCustomer { get; init; }

    public string? NurtureReason { get; init; }

    public bool IsEmpty => RemindersOfAppointment is null && NurtureOfCustomer is null;
}
