using NodaTime;

namespace FollowUp.Jobs.Engine;

/// <summary>One job for a batch enqueue.</summary>
/// <param name="JobType">The job class (implements <see cref="IJob{TArgs}"/>).</param>
/// <param name="Args">Its arguments; must be assignable to the class's argument type.</param>
/// <param name="RunAt">When to run it; null or a past instant means now.</param>
public sealed record JobRequest(Type JobType, object Args, Instant? RunAt = null)
{
    /// <summary>A request for <typeparamref name="TJob"/>.</summary>
    public static JobRequest For<TJob>(object args, Instant? runAt = null) => new(typeof(TJob), args, runAt);
}
