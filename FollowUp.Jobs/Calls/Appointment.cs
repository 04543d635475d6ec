using NodaTime;

namespace FollowUp.Jobs.Calls;

/// <summary>The appointment a call booked, cancelled or moved, parsed (see <see cref="Call"/>).</summary>
/// <param name="Id">Ties a cancellation or a reschedule to the reminders planned for it.</param>
/// <param name="StartsAt">When it begins; shown to the customer in the client's zone.</param>
/// <param name="Service">What it is for ("Cleaning"), or null.</param>
public sealed record Appointment(string Id, Instant StartsAt, string? Service);
