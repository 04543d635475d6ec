namespace FollowUp.Jobs.Calls;

/// <summary>The outcomes a call can have (each one's plan: docs/ARCHITECTURE.md, Calls).</summary>
public static class CallOutcome
{
    public const string Booked = "booked";
    public const string NotBooked = "not_booked";
    public const string Cancelled = "cancelled";
    public const string Rescheduled = "rescheduled";
    public const string NoAnswer = "no_answer";
    public const string Voicemail = "voicemail";

    public static readonly string[] All = [Booked, NotBooked, Cancelled, Rescheduled, NoAnswer, Voicemail];

    /// <summary>Outcomes that name an appointment.</summary>
    public static bool NeedsAppointment(string? outcome) => outcome is Booked or Cancelled or Rescheduled;
}
