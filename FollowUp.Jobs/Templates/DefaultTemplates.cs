namespace FollowUp.Jobs.Templates;

/// <summary>The built-in template of each kind, used where a client has not written its own.</summary>
public static class DefaultTemplates
{
    public static readonly string[] Kinds =
    [
        MessageKind.Confirmation, MessageKind.Reminder24h, MessageKind.Reminder1h, MessageKind.NurtureDay1,
        MessageKind.NurtureDay4, MessageKind.Cancellation, MessageKind.MissedCall,
    ];

    /// <summary>
    /// The built-in SMS of <paramref name="kind"/>. Appointment messages say how to answer with the default
    /// reply keywords (a client with its own keywords writes its own templates); with
    /// <paramref name="withBookingUrl"/>, nurture and the missed-call text-back invite booking online.
    /// </summary>
    public static string Sms(string kind, bool withBookingUrl = false) => (kind, withBookingUrl) switch
    {
        (MessageKind.NurtureDay1, true) => "Hi {first_name}, thanks for calling {business_name} yesterday. Book a visit at {booking_url} or just reply to this message.",
        (MessageKind.NurtureDay4, true) => "Hi {first_name}, {business_name} here. We still have openings: book at {booking_url} or reply here.",
        (MessageKind.MissedCall, true) => "Sorry we missed your call, this is {business_name}. Book at {booking_url}, or reply here and we will get back to you.",
        _ => WithoutBookingUrl(kind),
    };

    private static string WithoutBookingUrl(string kind) => kind switch
    {
        MessageKind.Confirmation => "Hi {first_name}, your {service} at {business_name} is booked for {appointment_time}. Reply C to confirm, R to reschedule or CANCEL to cancel.",
        MessageKind.Reminder24h => "Hi {first_name}, a reminder: your {service} at {business_name} is tomorrow, {appointment_time}. Reply C to confirm or R to reschedule.",
        MessageKind.Reminder1h => "Hi {first_name}, see you soon: your {service} at {business_name} starts {appointment_time}.",
        MessageKind.Cancellation => "Hi {first_name}, your {service} at {business_name} on {appointment_time} is cancelled. Call or reply any time to book again.",
        MessageKind.NurtureDay1 => "Hi {first_name}, thanks for calling {business_name} yesterday. Would you like to book a visit? Just reply to this message.",
        MessageKind.NurtureDay4 => "Hi {first_name}, {business_name} here. We still have openings if you would like to book.",
        MessageKind.MissedCall => "Sorry we missed your call, this is {business_name}. How can we help? Reply here and we will get back to you.",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No follow-up of this kind."),
    };

    public static string EmailSubject(string kind) => kind switch
    {
        MessageKind.Confirmation => "Your {service} at {business_name} is booked",
        MessageKind.Reminder24h => "Reminder: your {service} tomorrow",
        MessageKind.Reminder1h => "Your {service} starts in an hour",
        MessageKind.Cancellation => "Your {service} is cancelled",
        MessageKind.NurtureDay1 => "Thanks for calling {business_name}",
        MessageKind.NurtureDay4 => "{business_name} still has openings",
        MessageKind.MissedCall => "Sorry we missed your call",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No follow-up of this kind."),
    };

    public static string EmailBody(string kind) => kind switch
    {
        MessageKind.Confirmation => "Hi {first_name},\n\nyour {service} at {business_name} is booked for {appointment_time}.\nReply to this email if you need to change it.\n\n{business_name}",
        MessageKind.Reminder24h => "Hi {first_name},\n\na reminder that your {service} at {business_name} is tomorrow, {appointment_time}.\n\n{business_name}",
        MessageKind.Reminder1h => "Hi {first_name},\n\nyour {service} at {business_name} starts {appointment_time}. See you soon.\n\n{business_name}",
        MessageKind.Cancellation => "Hi {first_name},\n\nyour {service} at {business_name} on {appointment_time} is cancelled. Reply or call any time to book again.\n\n{business_name}",
        MessageKind.NurtureDay1 => "Hi {first_name},\n\nthanks for calling {business_name} yesterday. Would you like to book a visit? Just reply to this email.\n\n{business_name}",
        MessageKind.NurtureDay4 => "Hi {first_name},\n\nwe still have openings if you would like to book. Reply to this email and we will find a time.\n\n{business_name}",
        MessageKind.MissedCall => "Hi,\n\nsorry we missed your call. How can we help? Reply to this email and we will get back to you.\n\n{business_name}",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No follow-up of this kind."),
    };
}
