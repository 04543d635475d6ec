namespace FollowUp.Jobs.Engine.Filters;

/// <summary>
/// Wraps performing a job, like ASP.NET Core middleware: call the next delegate to go on, or
/// throw to fail the attempt. Registered globally (<c>EngineBuilder.AddFilter</c>) or per job type by
/// an attribute deriving from <see cref="JobFilterAttribute"/>.
/// </summary>
public interface IJobPerformFilter
{
    /// <summary>Runs around the attempt.</summary>
    Task OnPerformAsync(PerformContext context, Func<Task> next);
}
