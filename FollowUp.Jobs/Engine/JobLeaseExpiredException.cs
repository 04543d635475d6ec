namespace FollowUp.Jobs.Engine;

/// <summary>
/// Recorded as the failure of an attempt whose node stopped extending its lease (it died, hung, or
/// lost the database). The attempt counts: a job that kills its node every time ends dead-lettered.
/// </summary>
public sealed class JobLeaseExpiredException : Exception
{
    public JobLeaseExpiredException()
    {
    }

    public JobLeaseExpiredException(string message)
        : base(message)
    {
    }

    public JobLeaseExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
