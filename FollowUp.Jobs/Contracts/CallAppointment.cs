namespace FollowUp.Jobs.Contracts;

/// <summary>
/// The appointment a call booked, cancelled or moved. <see cref="Id"/> ties a cancellation or a
/// reschedule to the reminders planned for it.
/// </summary>
public sealed record CallAppointment
{
    public string Id { get; init; } = null!;

    /// <summary>ISO 8601 with an offset ("2026-11-25T14:00:00-05:00"); shown to the customer in the client's zone.</summary>
    public string StartsAt { get; init; } = null!;

    public string? Service { get; init; }
}
