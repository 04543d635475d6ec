using FollowUp.Jobs.Engine;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Jobs.Messages;

/// <summary>Composition of messages: the store, the send job's attempt, the outbox, the reconciler, the client API.</summary>
internal static class MessagesServiceCollectionExtensions
{
    public static IServiceCollection AddMessages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<MessageStore>();
        services.AddSingleton<SendClaims>();
        services.AddHostedService<OutboxBacklogGauge>();
        // A send job's dead letters: its message's side (the engine writes only its own row).
        services.AddSingleton<IDeadLetterHandler, SendMessageDeadLetters>();
        // Scoped (one per attempt), as the channels it sends through are.
        services.AddScoped<MessageSender>();
        services.AddSingleton<MessageDispatcher>();
        services.AddSingleton<IOutboxDrain>(sp => sp.GetRequiredService<MessageDispatcher>());
        services.AddScoped<JobReconciler>();
        services.AddSingleton<IMessageClient, MessageClient>();
        services.AddSingleton<DeliveryUpdates>();
        services.AddSingleton<MessageSearch>();
        services.AddSingleton<Suppressions>();
        services.AddRecurringJob(JobReconciler.RecurringId, (recurring, options, _) =>
            recurring.AddOrUpdate<JobReconciler>(JobReconciler.RecurringId, EngineOptions.DefaultQueue,
                x => x.RunAsync(CancellationToken.None), Cron.Minutely(), options));
        return services;
    }
}
