namespace FollowUp.Jobs.Engine.Filters;

/// <summary>
/// Base of filters applied per job type by putting the attribute on the job class. An attribute
/// filter replaces a global filter of the same class (so <c>[FixedRetry(Attempts = 5)]</c> on a job
/// overrides the global retry for that job type only).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public abstract class JobFilterAttribute : Attribute
{
}
