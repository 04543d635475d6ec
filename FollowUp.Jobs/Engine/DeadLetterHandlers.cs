using Hangfire.Common;

namespace FollowUp.Jobs.Engine;

/// <summary>The registered <see cref="IDeadLetterHandler"/>s by job type (Hangfire's <c>StateHandlerCollection</c>, per job type).</summary>
internal sealed class DeadLetterHandlers
{
    private readonly Dictionary<string, IDeadLetterHandler> _byType;

    public DeadLetterHandlers(IEnumerable<IDeadLetterHandler> handlers) =>
        _byType = handlers.ToDictionary(h => h.JobType.FullName!, StringComparer.Ordinal);

    /// <summary>The handler of <paramref name="job"/>'s type, or null (a job type with no domain side).</summary>
    public IDeadLetterHandler? For(Job? job) => job is null ? null : For(job.Type.FullName);

    /// <summary>The handler of the job type recorded as <paramref name="jobType"/> in <c>dead_letters</c>, or null.</summary>
    public IDeadLetterHandler? For(string? jobType) => jobType is not null && _byType.TryGetValue(jobType, out var handler) ? handler : null;

    /// <summary>What the dead letter records about <paramref name="job"/>'s subject.</summary>
    public DeadLetterSubject SubjectOf(Job? job) => job is not null && For(job) is { } handler ? handler.SubjectOf(job) : DeadLetterSubject.None;
}
