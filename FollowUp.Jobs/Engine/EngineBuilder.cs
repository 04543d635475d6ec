using FollowUp.Jobs.Engine.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FollowUp.Jobs.Engine;

/// <summary>Registers job types and global filters; returned by <c>AddFollowUpJobs</c>.</summary>
public sealed class EngineBuilder
{
    internal EngineBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>Registers a job class (scoped per attempt) under its <see cref="JobTypeAttribute"/> name.</summary>
    public EngineBuilder AddJob<TJob>()
        where TJob : class
    {
        _ = JobRegistry.ArgsTypeOf(typeof(TJob));
        Services.TryAddScoped<TJob>();
        Services.AddSingleton(new JobRegistration(typeof(TJob)));
        return this;
    }

    /// <summary>
    /// Adds a filter for every job type: an <see cref="IJobPerformFilter"/>, an
    /// <see cref="IJobStateFilter"/>, or both. Runs after the global fixed retry.
    /// </summary>
    public EngineBuilder AddFilter(object filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter is not (IJobPerformFilter or IJobStateFilter))
        {
            throw new ArgumentException("A filter implements IJobPerformFilter or IJobStateFilter.", nameof(filter));
        }

        Services.AddSingleton(new GlobalJobFilter(filter));
        return this;
    }
}
