using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Engine.Filters;
using FollowUp.Jobs.Engine.Housekeeping;
using FollowUp.Jobs.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using Quartz;

namespace FollowUp.Jobs;

/// <summary>Composition of FollowUp.Jobs.</summary>
public static class FollowUpJobsServiceCollectionExtensions
{
    public const string ConnectionStringKey = "ConnectionStrings:FollowUp";

    /// <summary>
    /// Adds the data source, migrations (applied at start-up), the job engine (client, worker, dead
    /// letters), Quartz clustered on the same database for recurring jobs and housekeeping, options
    /// validated at start-up, and the readiness check. Register job types on the returned builder.
    /// </summary>
    public static EngineBuilder AddFollowUpJobs(this IServiceCollection services, IConfiguration configuration)
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

        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.Section)).ValidateOnStart();
        services.AddOptions<RetryOptions>().Bind(configuration.GetSection(RetryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptions.Validator>();
        services.AddSingleton<IValidateOptions<RetryOptions>, RetryOptions.Validator>();
        services.AddOptions<HostOptions>().Configure<IOptions<EngineOptions>>((host, engine) =>
        {
            var needed = TimeSpan.FromSeconds(engine.Value.ShutdownTimeoutSeconds + 15);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });

        services.AddSingleton<MigrationRunner>();
        services.AddHostedService<MigrationHostedService>();

        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<JobFilters>();
        services.AddSingleton<StateElector>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobNotifier>();
        services.AddSingleton<RecurringJobs>();
        services.AddSingleton<JobRescuer>();
        services.AddSingleton<IJobClient, JobClient>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<Clients.ClientStore>();
        services.AddOptions<Channels.CostOptions>().Bind(configuration.GetSection(Channels.CostOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Channels.CostOptions>, Channels.CostOptions.Validator>();
        services.AddSingleton<Channels.ProviderRateLimiters>();
        services.AddSingleton<Messages.MessageStore>();
        // Scoped (one per attempt): the SendGrid adapter is a typed HttpClient, which should not be held for the process's life.
        services.AddScoped<Messages.MessageSender>();
        services.AddOptions<Channels.ChannelOptions>("sms").Bind(configuration.GetSection("FollowUp:Sms"));
        services.AddOptions<Channels.ChannelOptions>("email").Bind(configuration.GetSection("FollowUp:Email"));
        services.AddTwilioSms(configuration);
        services.AddEmailChannel(configuration);
        services.AddSingleton<Messages.IMessageClient, Messages.MessageClient>();
        services.AddSingleton<Messages.DeliveryUpdates>();
        services.AddSingleton<Messages.Suppressions>();
        services.AddSingleton<Messages.InboundSmsLog>();
        services.AddSingleton<Calls.CallIntake>();
        services.AddSingleton<Calls.CallQueries>();
        services.AddOptions<Channels.PublicUrlOptions>().Bind(configuration.GetSection(Channels.PublicUrlOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Channels.PublicUrlOptions>, Channels.PublicUrlOptions.Validator>();
        services.AddHostedService<Channels.SandboxWarning>();
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());

        AddScheduler(services, configuration, connectionString);
        services.AddHealthChecks().AddCheck<EngineHealthCheck>("engine", tags: ["ready"]);
        return new EngineBuilder(services)
            .AddJob<Messages.SendSmsJob>()
            .AddJob<Messages.SendEmailJob>();
    }

    /// <summary>
    /// The one data source, tuned for the engine's hot path unless the connection string says
    /// otherwise. Auto-prepare: a handful of statements run thousands of times a second, and a
    /// prepared one skips parsing and planning. No Reset On Close: returning a connection to the pool
    /// otherwise costs a reset batch (CLOSE ALL, RESET ALL, UNLISTEN, …) on its next use, measured
    /// here at up to a third of a single enqueue. Safe because nothing in FollowUp leaves session state
    /// on a pooled connection (advisory locks are released in finally; LISTEN has its own connection).
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

    private static void AddScheduler(IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        var engine = new EngineOptions();
        configuration.GetSection(EngineOptions.Section).Bind(engine);
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = "FollowUp");
            q.UseDefaultThreadPool(4);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering();
                store.ProvisionSchema();
                store.UseSystemTextJsonSerializer();
            });
            Every<RescueExpiredLeasesJob>(q, RescueExpiredLeasesJob.Key, TimeSpan.FromSeconds(Math.Max(1, engine.RescueIntervalSeconds)));
            Every<RecurringSyncJob>(q, RecurringSyncJob.Key, TimeSpan.FromSeconds(Math.Max(1, engine.RecurringSyncSeconds)));
            Every<CounterRollupJob>(q, CounterRollupJob.Key, TimeSpan.FromSeconds(30));
            Every<StateCountJob>(q, StateCountJob.Key, TimeSpan.FromSeconds(Math.Max(1, engine.StateCountSeconds)));
            Every<RetentionJob>(q, RetentionJob.Key, TimeSpan.FromHours(1));
            Every<Calls.ReplayStalledWebhooksJob>(q, Calls.ReplayStalledWebhooksJob.Key, TimeSpan.FromMinutes(1));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }

    private static void Every<TJob>(IQuartzBuilder q, JobKey key, TimeSpan interval)
        where TJob : IJob
    {
        q.AddJob<TJob>(j => j.WithIdentity(key).StoreDurably());
        q.AddTrigger(t => t
            .ForJob(key)
            .WithIdentity(key.Name, key.Group)
            .StartNow()
            .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
    }
}
