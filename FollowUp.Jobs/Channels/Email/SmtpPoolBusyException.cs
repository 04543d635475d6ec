namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// No SMTP pool slot came free within <see cref="SmtpOptions.PoolWaitSeconds"/>: nothing was sent, so the
/// attempt may fail over to another email provider or be retried, instead of holding a worker for good.
/// </summary>
internal sealed class SmtpPoolBusyException(string message) : Exception(message);
