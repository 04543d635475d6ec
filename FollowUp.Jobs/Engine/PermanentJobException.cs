namespace FollowUp.Jobs.Engine;

/// <summary>
/// A failure that no retry can fix (an invalid number, an opted-out recipient): the job skips its
/// remaining attempts and goes straight to the dead-letter table.
/// </summary>
public class PermanentJobException : Exception
{
    /// <summary>A permanent failure without a message.</summary>
    public PermanentJobException()
    {
    }

    /// <summary>A permanent failure; <paramref name="message"/> is kept in the dead letter and the Failed state's reason.</summary>
    public PermanentJobException(string message)
        : base(message)
    {
    }

    /// <summary>A permanent failure wrapping its cause (whose type and stack the dead letter keeps too).</summary>
    public PermanentJobException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when <paramref name="exception"/> or one it wraps marks itself permanent: a
    /// <see cref="PermanentJobException"/>, or an <see cref="IClassifiedFailure"/> that says so.
    /// </summary>
    public static bool IsPermanent(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PermanentJobException or IClassifiedFailure { IsPermanent: true })
            {
                return true;
            }
        }

        return false;
    }
}
