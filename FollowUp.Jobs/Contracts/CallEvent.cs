namespace FollowUp.Jobs.Contracts;

/// <summary>
/// The outcome of one phone call, as telephony posts it to <c>POST /webhooks/calls</c> (docs/WEBHOOKS.md) and
/// as the platform adapters (<see cref="Calls.RetellCallEvents"/>, <see cref="Calls.TwilioVoiceCallEvents"/>) produce it:
/// the wire's contract, strings as sent. Times are ISO 8601 with an offset; <see cref="Calls.CallEventValidator"/>
/// checks every field, and <see cref="Calls.Call.From"/> reads a valid one into the domain's <see cref="Calls.Call"/>.
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

    /// <summary>One of <see cref="Calls.CallOutcome"/>.</summary>
    public string Outcome { get; init; } = null!;

    public CallCustomer Customer { get; init; } = null!;

    /// <summary>Required for booked, cancelled and rescheduled.</summary>
    public CallAppointment? Appointment { get; init; }

    /// <summary>
    /// Optional: what was said on the call, in a sentence or a paragraph (at most 2,000 characters), as a voice
    /// agent's post-call analysis writes it. The caller's words, so untrusted: stored with the call and, when the
    /// client turns AI-written follow-ups on, given to the model as quoted data, never as instructions.
    /// </summary>
    public string? Summary { get; init; }

    /// <summary>Optional: why the customer called, in a few words ("book a cleaning"; at most 200 characters).</summary>
    public string? Intent { get; init; }

    /// <summary>Optional: anything else the agent noted (at most 1,000 characters).</summary>
    public string? Notes { get; init; }
}
