using FollowUp.Jobs.Messages;
using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>A call as <c>GET /api/calls/{call_id}</c> shows it: its latest outcome, customer, appointment and messages.</summary>
public sealed record CallView
{
    public string ClientId { get; init; } = "";

    public string CallId { get; init; } = "";

    public string Outcome { get; init; } = "";

    public Instant OccurredAt { get; init; }

    public string? CustomerName { get; init; }

    public string CustomerPhone { get; init; } = "";

    public string? CustomerEmail { get; init; }

    public string? AppointmentId { get; init; }

    public Instant? AppointmentStartsAt { get; init; }

    public string? AppointmentService { get; init; }

    /// <summary>What was said on the call, as telephony summarised it (the caller's words), or null.</summary>
    public string? Summary { get; init; }

    public string? Intent { get; init; }

    public string? Notes { get; init; }

    /// <summary>
    /// What the customer answered about the appointment by SMS since it was last planned:
    /// <c>confirmed</c>, <c>cancelled_by_customer</c>, <c>reschedule_requested</c>; null when nothing.
    /// </summary>
    public string? CustomerResponse { get; init; }

    public Instant? CustomerResponseAt { get; init; }

    /// <summary>The journal entry of the event that last changed the call.</summary>
    public long WebhookId { get; init; }

    public IReadOnlyList<MessageInfo> Messages { get; init; } = [];
}
