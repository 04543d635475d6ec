namespace FollowUp.Jobs.Engine.Filters;

/// <summary>
/// Takes part in electing the state a job moves to after an attempt that failed (Hangfire's state
/// election): it may change <see cref="ElectStateContext.Candidate"/>. Filters run in registration
/// order, global ones first, then the job type's attributes. Successful attempts are stored in
/// batches and are not elected, so a state filter cannot turn a success into something else.
/// </summary>
public interface IJobStateFilter
{
    /// <summary>Inspects or changes the candidate state.</summary>
    void OnStateElection(ElectStateContext context);
}
