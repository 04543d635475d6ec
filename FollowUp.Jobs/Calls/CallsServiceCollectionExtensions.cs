using FollowUp.Jobs.Engine;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Jobs.Calls;

/// <summary>Composition of call intake: the journal and planner, queries, replay of stalled webhooks, retention.</summary>
internal static class CallsServiceCollectionExtensions
{
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddSingleton<CallIntake>();
        services.AddSingleton<CallQueries>();
        services.AddSingleton<AppointmentActions>();
        services.AddRecurringJob(ReplayStalledWebhooksJob.RecurringId, (recurring, options, _) =>
            recurring.AddOrUpdate<ReplayStalledWebhooksJob>(ReplayStalledWebhooksJob.RecurringId, EngineOptions.DefaultQueue,
                x => x.RunAsync(CancellationToken.None), Cron.Minutely(), options));
        services.AddRecurringJob(RetentionJob.RecurringId, (recurring, options, _) =>
            recurring.AddOrUpdate<RetentionJob>(RetentionJob.RecurringId, EngineOptions.DefaultQueue,
                x => x.RunAsync(CancellationToken.None), Cron.Daily(3), options));
        return services;
    }
}
