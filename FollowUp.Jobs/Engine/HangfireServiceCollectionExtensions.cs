using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// Hangfire, wired per service provider rather than through its static <c>GlobalConfiguration</c>: the
/// storage, the activator and the filters are registered before <c>AddHangfire</c> (which only adds
/// what is missing), so several hosts in one process (tests, a web node and a server) each have their
/// own database and filters.
/// </summary>
internal static class HangfireServiceCollectionExtensions
{
    public static IServiceCollection AddFollowUpHangfire(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.Section)).ValidateOnStart();
        services.AddOptions<RetryOptions>().Bind(configuration.GetSection(RetryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptions.Validator>();
        services.AddSingleton<IValidateOptions<RetryOptions>, RetryOptions.Validator>();
        services.AddSingleton<ServerIdentity>();
        services.AddMetrics();
        services.AddSingleton<FollowUp.Jobs.Telemetry.FollowUpMetrics>();
        services.AddHostedService<HangfireGauges>();
        // Its constructor is internal (it takes the engine's DeadLetterLog); DI only uses public ones.
        services.AddSingleton(sp => new DeadLetters(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<IBackgroundJobClient>(),
            sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<DeadLetterLog>()));
        services.AddSingleton<DeadLetterHandlers>();
        services.AddSingleton<DeadLetterLog>();
        services.AddSingleton<DeadLetterFilter>();

        // Hangfire's own connections: a plain connection string (no NodaTime mapping), its own pool, which
        // the outbox shares so that a batch of jobs commits with its rows (EngineConnections).
        services.TryAddSingleton(_ => new EngineConnections(connectionString));
        // Hangfire's distributed locks as advisory locks, and the lock table closed to row locks (EngineStorage).
        services.TryAddSingleton<AdvisoryLocks>();
        services.AddSingleton<FollowUp.Jobs.Storage.IMigrationStep, RowLockGuardStep>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxDispatcher>();
        services.TryAddSingleton<JobStorage>(sp =>
        {
            var engine = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
            var hangfire = sp.GetRequiredService<EngineConnections>().ConnectionString;
            return new EngineStorage(hangfire, StorageOptions(engine), sp.GetRequiredService<AdvisoryLocks>())
            {
                // How long a finished job (Succeeded, Deleted) stays before Hangfire's expiration manager
                // removes it: Hangfire's default is one day. It bounds the stock pages' counting (BENCHMARKS.md).
                JobExpirationTimeout = TimeSpan.FromDays(engine.RetentionDays),
            };
        });
        services.TryAddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.TryAddSingleton<IJobFilterProvider>(sp => Filters(sp));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        if (EngineOptions.ServerEnabledIn(configuration))
        {
            services.AddHangfireServer((sp, server) =>
            {
                var o = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
                server.ServerName = sp.GetRequiredService<ServerIdentity>().Name;
                server.WorkerCount = o.WorkerCount;
                server.Queues = o.Queues;
                server.SchedulePollingInterval = TimeSpan.FromMilliseconds(o.SchedulePollMilliseconds);
                server.MaxDegreeOfParallelismForSchedulers = o.SchedulerParallelism;
                server.ShutdownTimeout = TimeSpan.FromSeconds(o.ShutdownTimeoutSeconds);
                server.StopTimeout = TimeSpan.FromSeconds(o.ShutdownTimeoutSeconds);
            });
        }

        // On every node, web-only ones too: a webhook answered at its commit has its jobs created here.
        services.AddHostedService<OutboxLoop>();

        services.AddHostedService<RecurringJobsRegistrar>();
        services.AddOptions<HostOptions>().Configure<IOptions<EngineOptions>>((host, o) =>
        {
            var needed = TimeSpan.FromSeconds(o.Value.ShutdownTimeoutSeconds + 15);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return services;
    }

    /// <summary>
    /// Hangfire.PostgreSql's options for FollowUp. Long polling (LISTEN/NOTIFY) is off: measured here,
    /// it left a few jobs of every ten thousand Enqueued for good (upstream issue 410 reports the same
    /// after a dropped LISTEN connection); a short poll did not, and the reconciler is the net under
    /// both. Lock rows left by a dead connection expire after <c>LockTimeoutSeconds</c>, not 10 minutes.
    /// The schema is installed by <c>MigrationRunner</c> under its advisory lock, not here.
    /// </summary>
    internal static PostgreSqlStorageOptions StorageOptions(EngineOptions o) => new()
    {
        SchemaName = EngineOptions.HangfireSchema,
        PrepareSchemaIfNecessary = false,
        QueuePollInterval = TimeSpan.FromMilliseconds(o.QueuePollMilliseconds),
        InvisibilityTimeout = TimeSpan.FromSeconds(o.InvisibilityTimeoutSeconds),
        DistributedLockTimeout = TimeSpan.FromSeconds(o.LockTimeoutSeconds),
        UseSlidingInvisibilityTimeout = true,
        EnableLongPolling = false,
        UseNativeDatabaseTransactions = true,
        JobExpirationCheckInterval = TimeSpan.FromMinutes(30),
        CountersAggregateInterval = TimeSpan.FromMinutes(5),
    };

    /// <summary>
    /// Hangfire's default global filters less <c>AutomaticRetryAttribute</c> (our fixed retry replaces
    /// it: both would retry), plus the dead-letter filter, and the attributes on job classes and methods
    /// (a per-type <see cref="FixedRetryAttribute"/> overrides the global one). <paramref name="keep"/>, when
    /// given, drops the global filters it refuses: the benchmark measures each filter's statements that way.
    /// </summary>
    internal static JobFilterProviderCollection Filters(IServiceProvider services, Func<object, bool>? keep = null)
    {
        var retry = services.GetRequiredService<IOptions<RetryOptions>>().Value;
        var global = new JobFilterCollection
        {
            new CaptureCultureAttribute(),
            new StatisticsHistoryAttribute(),
            new ContinuationsSupportAttribute(),
            new FixedRetryAttribute { Attempts = retry.Attempts, DelaySeconds = retry.DelaySeconds },
            // Carries the creator's trace into the job (a parameter only while a tracer listens).
            new JobTraceContext(),
        };
        global.Add(services.GetRequiredService<DeadLetterFilter>(), DeadLetterFilter.FilterOrder);
        if (keep is not null)
        {
            foreach (var filter in global.Where(f => !keep(f.Instance)).ToList())
            {
                global.Remove(filter.Instance);
            }
        }

        return new JobFilterProviderCollection(global, new JobFilterAttributeFilterProvider());
    }
}
