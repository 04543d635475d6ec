namespace FollowUp.Jobs.Notifications;

/// <summary>
/// A notification URL's host resolved to no public address (see <see cref="ReceiverAddressGuard"/>). The
/// message names no address: it is stored with the notification and shown on dead letters.
/// </summary>
internal sealed class ReceiverAddressRefusedException()
    : Exception("the receiver's host does not resolve to a public internet address");
