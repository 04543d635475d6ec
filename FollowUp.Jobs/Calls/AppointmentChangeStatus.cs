namespace FollowUp.Jobs.Calls;

/// <summary>Whether an appointment action was carried out.</summary>
public enum AppointmentChangeStatus
{
    /// <summary>Journaled and processed: the plan (cancellation or new reminders) is committed.</summary>
    Done,

    /// <summary>No call of the client names the appointment; nothing was journaled.</summary>
    NotFound,

    /// <summary>The appointment is cancelled already; nothing was journaled, no second cancellation message is sent.</summary>
    AlreadyCancelled,

    /// <summary>Journaled, but processing failed: the entry is kept and replayed like a failed webhook.</summary>
    Failed,
}
