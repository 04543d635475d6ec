namespace FollowUp.Jobs.Messages;

/// <summary>Why the planner recorded a message as skipped or cancelled one (shown on the dashboard and in the API).</summary>
public static class SkipReasons
{
    public const string AlreadyPast = "already past";

    /// <summary>A confirmation or cancellation of an appointment that has already begun: news to nobody.</summary>
    public const string AppointmentPast = "appointment already past";
    public const string NoEmailAddress = "no email address";
    public const string NoBusinessHours = "no business hours";

    /// <summary>A marketing message whose business is open only while the recipient's hours are shut (for a year ahead).</summary>
    public const string NoHoursInRecipientsWindow = "business hours never meet the recipient's hours";
    public const string AppointmentCancelled = "appointment cancelled";
    public const string AppointmentRescheduled = "appointment rescheduled";
    public const string ReplacedByBooking = "replaced by a later booking";
    public const string BookedSince = "booked since";

    /// <summary>The customer answered a reminder or the confirmation with a cancel keyword.</summary>
    public const string CancelledByCustomer = "appointment cancelled by the customer";

    /// <summary>The customer answered a nurture message: a person engaged, staff take over.</summary>
    public const string CustomerReplied = "customer replied";

    /// <summary>An SMS to a number outside the client's <c>sms_countries</c> (default: its own country).</summary>
    public const string CountryNotAllowed = "destination country not allowed";

    /// <summary>An SMS to a premium-rate or shared-cost number.</summary>
    public const string PremiumRateNumber = "premium-rate number";

    /// <summary>A missed-call text-back beyond the client's <c>text_back_hourly_limit</c> in the last 60 minutes.</summary>
    public const string TextBackHourlyLimit = "hourly text-back limit reached";
}
