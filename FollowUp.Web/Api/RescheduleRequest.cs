namespace FollowUp.Web.Api;

/// <summary>A move: <c>POST /api/appointments/{id}/reschedule</c>.</summary>
internal sealed record RescheduleRequest
{
    /// <summary>ISO 8601 with an offset ("2026-11-26T10:00:00-05:00").</summary>
    public string? StartsAt { get; init; }
}
