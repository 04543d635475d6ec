namespace FollowUp.Jobs.Notifications;

/// <summary>The events a business can receive at its webhook (docs/WEBHOOKS.md, "Business notifications").</summary>
public static class NotificationTypes
{
    public const string ReplyReceived = "reply.received";
    public const string AppointmentConfirmed = "appointment.confirmed";
    public const string AppointmentCancelledByCustomer = "appointment.cancelled_by_customer";
    public const string AppointmentRescheduleRequested = "appointment.reschedule_requested";
    public const string MessageDelivered = "message.delivered";
    public const string MessageFailed = "message.failed";
    public const string MessageDeadLettered = "message.dead_lettered";

    public static readonly string[] All =
    [
        ReplyReceived, AppointmentConfirmed, AppointmentCancelledByCustomer, AppointmentRescheduleRequested,
        MessageDelivered, MessageFailed, MessageDeadLettered,
    ];
}
