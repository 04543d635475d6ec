using FollowUp.Jobs.Contracts;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// A call's outcome as the domain reads it: a <see cref="CallEvent"/> (the wire's contract) that passed
/// <see cref="CallEventValidator"/>, parsed once, its times as <see cref="Instant"/>s and the customer's
/// number as E.164. The planner and the call row take this, never the wire's strings.
/// </summary>
public sealed record Call
{
    /// <summary>Unique per client: a second event with the same id is a retry and changes nothing.</summary>
    public required string EventId { get; init; }

    public required string ClientId { get; init; }

    public required string CallId { get; init; }

    /// <summary>When the call ended; nurture counts days from it in the client's zone.</summary>
    public required Instant OccurredAt { get; init; }

    /// <summary>One of <see cref="CallOutcome"/>.</summary>
    public required string Outcome { get; init; }

    /// <summary>The customer; <see cref="Customer.Phone"/> is E.164.</summary>
    public required Customer Customer { get; init; }

    /// <summary>Present for booked, cancelled and rescheduled (the validator requires it there).</summary>
    public Appointment? Appointment { get; init; }

    /// <summary>What was said on the call (the caller's words: data, never instructions), or null.</summary>
    public string? Summary { get; init; }

    /// <summary>Why the customer called, or null.</summary>
    public string? Intent { get; init; }

    /// <summary>The agent's other notes, or null.</summary>
    public string? Notes { get; init; }

    /// <summary>
    /// <paramref name="call"/>, validated by <see cref="CallEventValidator"/>, as the domain reads it.
    /// </summary>
    /// <exception cref="FormatException">A time is not ISO 8601 with an offset (the event was not validated).</exception>
    /// <exception cref="ArgumentException">The customer's number is not one we accept (the event was not validated).</exception>
    public static Call From(CallEvent call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new Call
        {
            EventId = call.EventId,
            ClientId = call.ClientId,
            CallId = call.CallId,
            OccurredAt = CallTimes.Parse(call.OccurredAt),
            Outcome = call.Outcome,
            // The raw body keeps the number as sent; the call, its messages and the nurture a booking cancels
            // all use it as E.164, so "+1 (212) 555-0123" and "+12125550123" are one customer.
            Customer = new Customer(call.Customer.Name, Channels.E164.Normalize(call.Customer.Phone), call.Customer.Email),
            Appointment = call.Appointment is { } a ? new Appointment(a.Id, CallTimes.Parse(a.StartsAt), a.Service) : null,
            Summary = Blank(call.Summary),
            Intent = Blank(call.Intent),
            Notes = Blank(call.Notes),
        };
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
