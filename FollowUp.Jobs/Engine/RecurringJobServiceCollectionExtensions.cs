using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Jobs.Engine;

/// <summary>How a feature contributes a recurring job to the engine.</summary>
public static class RecurringJobServiceCollectionExtensions
{
    /// <summary>
    /// Adds a recurring job that every node adds or updates in Hangfire at start-up (idempotent; Hangfire
    /// fires each occurrence once across the cluster).
    /// </summary>
    public static IServiceCollection AddRecurringJob(
        this IServiceCollection services, string id, Action<IRecurringJobManager, RecurringJobOptions, EngineOptions> addOrUpdate) =>
        services.AddSingleton(new RecurringJobRegistration(id, addOrUpdate));
}
