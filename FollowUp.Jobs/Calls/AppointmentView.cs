using FollowUp.Jobs.Messages;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// An appointment as <c>GET /api/appointments/{id}</c> shows it: the latest call's view of it (the
/// call that last booked, moved or cancelled it, or an API action, which is journaled as a call of its
/// own), the customer's SMS answer since, and every message planned for it.
/// </summary>
public sealed record AppointmentView
{
    public string ClientId { get; init; } = "";

    public string AppointmentId { get; init; } = "";

    /// <summary>The latest call's outcome for it: <c>booked</c>, <c>rescheduled</c> or <c>cancelled</c>.</summary>
    public string Status { get; init; } = "";

    public Instant StartsAt { get; init; }

    public string? Service { get; init; }

    public string? CustomerName { get; init; }

    public string CustomerPhone { get; init; } = "";

    public string? CustomerEmail { get; init; }

    /// <summary>The call (or API action, <c>api-…</c>) that last changed it.</summary>
    public string CallId { get; init; } = "";

    public Instant UpdatedAt { get; init; }

    /// <summary><c>confirmed</c>, <c>cancelled_by_customer</c>, <c>reschedule_requested</c>, or null when the customer has not answered since it was last planned.</summary>
    public string? CustomerResponse { get; init; }

    public Instant? CustomerResponseAt { get; init; }

    /// <summary>Every message planned for the appointment, oldest first, whatever its status.</summary>
    public IReadOnlyList<MessageInfo> Messages { get; init; } = [];
}
