namespace FollowUp.Jobs.Engine;

/// <summary>
/// A job type: a class resolved from DI (scoped to one attempt) with typed, JSON-serialised arguments.
/// </summary>
/// <remarks>
/// Delivery is at least once: a node killed after the work but before the result is stored causes the
/// job to run again on another node after its lease runs out. Make the work idempotent, or guard the
/// side effect (see the send job's checkpoints). Throw <see cref="PermanentJobException"/> for a
/// failure no retry can fix, and <see cref="JobDeferredException"/> to run later without spending an
/// attempt. The token fires on shutdown and when this node loses the job's lease.
/// </remarks>
/// <typeparam name="TArgs">The arguments, stored as JSON in the job row.</typeparam>
public interface IJob<in TArgs>
{
    /// <summary>Performs one attempt.</summary>
    Task ExecuteAsync(TArgs args, JobContext context, CancellationToken cancellationToken);
}
