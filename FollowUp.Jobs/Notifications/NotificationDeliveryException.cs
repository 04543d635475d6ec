namespace FollowUp.Jobs.Notifications;

/// <summary>A receiver did not take a notification (non-2xx, unreachable, too slow): the fixed retry tries again.</summary>
public sealed class NotificationDeliveryException(string message) : Exception(message);
