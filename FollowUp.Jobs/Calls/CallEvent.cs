namespace FollowUp.Jobs.Calls;

/// <summary>
/// The outcome of one phone call, as telephony posts it to <c>POST /webhooks/calls</c> (docs/WEBHOOKS.md) and
/// as the platform adapters (<see cref="RetellCallEvents"/>, <see cref="TwilioVoiceCallEvents"/>) produce it.
/// Times are ISO 8601 with an offset; <see cref="CallEventValidator"/> checks every field.
/// </summary>
public sealed record CallEvent
{
    /// <summary>Unique per client: a second event with the same id is a retry and changes nothing.</summary>
    public string EventId { get; init; } = null!;

    /// <summary>Always <c>call_ended</c>.</summary>
    public string Event { get; init; } = null!;

    public string ClientId { get; init; } = null!;

    public string CallId { get; init; } = null!;

    /// <summary>When the call ended, with an offset ("2026-11-22T15:04:05Z"); nurture counts days from it.</summary>
    public string OccurredAt { get; init; } = null!;

    /// <summary>One of <see cref="CallOutcome"/>.</summary>
    public string Outcome { get; init; } = null!;

    public CallCustomer Customer { get; init; } = null!;

    /// <summary>Required for booked, cancelled and rescheduled.</summary>
    public CallAppointment? Appointment { get; init; }
}
