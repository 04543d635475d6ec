namespace FollowUp.Jobs.Engine.Filters;

/// <summary>
/// Takes part in electing the state a job moves to after an attempt (Hangfire's state election):
/// it may change <see cref="ElectStateContext.Candidate"/>. Filters run in registration order, global
/// ones first, then the job type's attributes.
/// </summary>
public interface IJobStateFilter
{
    /// <summary>Inspects or changes the candidate state.</summary>
    void OnStateElection(ElectStateContext context);
}
