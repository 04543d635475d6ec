using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Conversations;
using FollowUp.Jobs.Copy;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Notifications;
using FollowUp.Jobs.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Jobs;

/// <summary>Composition of FollowUp.Jobs.</summary>
public static class FollowUpJobsServiceCollectionExtensions
{
    /// <summary>The connection string <see cref="AddFollowUpJobs"/> requires (<c>ConnectionStrings__FollowUp</c> in the environment).</summary>
    public const string ConnectionStringKey = "ConnectionStrings:FollowUp";

    /// <summary>
    /// Adds the data source, migrations (ours and Hangfire's schema, applied at start-up), Hangfire on
    /// the same database (storage, a server unless <c>FollowUp:Engine:RunServer</c> is false, the fixed
    /// retry and dead-letter filters, the features' recurring jobs), then each feature in the order a
    /// call flows (channels, clients, messages, calls, conversations, notifications), options validated
    /// at start-up, and the readiness check. Developers enqueue their own jobs with Hangfire's
    /// <c>IBackgroundJobClient</c>, resolved from the container.
    /// </summary>
    public static IServiceCollection AddFollowUpJobs(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(ConnectionStringKey, typeof(string),
                [$"{ConnectionStringKey} is required (environment: ConnectionStrings__FollowUp)."]);
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new OptionsValidationException(ConnectionStringKey, typeof(string),
                [$"{ConnectionStringKey} is not a valid PostgreSQL connection string: {ex.Message}"]);
        }

        DapperConfiguration.Apply();
        services.TryAddSingleton<IClock>(SystemClock.Instance);
        services.TryAddSingleton(_ => BuildDataSource(connectionString));

        services.AddFollowUpKeyRing(configuration);
        services.AddSingleton<MigrationRunner>();
        services.AddHostedService<MigrationHostedService>();

        services.AddFollowUpHangfire(configuration, connectionString);
        services.AddChannels(configuration);
        services.AddClients();
        services.AddMessages(configuration);
        services.AddCopy(configuration);
        services.AddCalls();
        services.AddConversations();
        services.AddNotifications(configuration);
        services.AddHealthChecks().AddCheck<EngineHealthCheck>("engine", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// The one data source, tuned for the engine's hot path unless the connection string says
    /// otherwise. Auto-prepare: a handful of statements run thousands of times a second, and a
    /// prepared one skips parsing and planning. No Reset On Close: returning a connection to the pool
    /// otherwise costs a reset batch (CLOSE ALL, RESET ALL, UNLISTEN, …) on its next use, measured
    /// here at up to a third of a single enqueue. Safe because nothing in FollowUp leaves session state
    /// on a pooled connection (advisory locks are released in finally; Hangfire has its own connections).
    /// Code that SETs session parameters on these connections must undo them, or set
    /// "No Reset On Close=false" in the connection string.
    /// </summary>
    private static NpgsqlDataSource BuildDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        // Npgsql.NodaTime: timestamptz ↔ Instant, date ↔ LocalDate, at the driver.
        builder.UseNodaTime();
        return builder.Build();
    }
}
