using NodaTime;

namespace FollowUp.Jobs.Copy;

/// <summary>What the personalise job reads of a call: the customer's name, the appointment, and what was said.</summary>
internal sealed record CopyCall(string? CustomerName, Instant? AppointmentStartsAt, string? AppointmentService, string? Summary, string? Intent, string? Notes);
