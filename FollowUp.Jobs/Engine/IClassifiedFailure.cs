namespace FollowUp.Jobs.Engine;

/// <summary>
/// An exception that says itself whether it is permanent, for exceptions that cannot derive from
/// <see cref="PermanentJobException"/> because they are sometimes transient (a provider's refusal).
/// </summary>
public interface IClassifiedFailure
{
    /// <summary>True when no retry can fix it.</summary>
    bool IsPermanent { get; }
}
