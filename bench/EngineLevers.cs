using System.Diagnostics;
using System.Globalization;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support.Jobs;
using FollowUp.Jobs;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- levers [jobs | create]</c>: issue #22 §2's levers on Hangfire.PostgreSql's cost per job, each alone and
/// all together, each in a fresh database of one cluster: <c>jobs</c> no-op jobs (3,000) enqueued with no
/// server running, then a FollowUp server (its configuration, but for the lever) burns them down; per job
/// processed: statements (pg_stat_statements), commits (pg_stat_database) and the burn-down rate. Then the
/// cost per job <i>created</i>: 2,000 planned messages given their jobs by the outbox in batches of 100
/// (claim, 100 creates, write-back, one commit), against one plain <c>IBackgroundJobClient.Create</c> each.
/// </summary>
internal static class EngineLevers
{
    private sealed record Lever(string Name, string ConnectionSuffix, int Workers, Func<object, bool>? Keep, bool RowLocks = false);

    // The product's tuning of Hangfire's connection string is on unless a suffix names its settings.
    private const string Untuned = ";No Reset On Close=false;Max Auto Prepare=0";

    private static readonly Lever[] Levers =
    [
        new("untuned connection, row locks (stock's)", Untuned, 20, null, RowLocks: true),
        new("auto-prepare alone (pool reset kept), row locks", ";No Reset On Close=false;Max Auto Prepare=64", 20, null, RowLocks: true),
        new("no reset on close + auto-prepare, row locks", "", 20, null, RowLocks: true),
        new("  + advisory locks (product)", "", 20, null),
        new("  + without CaptureCulture", "", 20, f => f is not CaptureCultureAttribute),
        new("  + without ContinuationsSupport", "", 20, f => f is not ContinuationsSupportAttribute),
        new("  + without StatisticsHistory", "", 20, f => f is not StatisticsHistoryAttribute),
        new("  + synchronous_commit=off", ";Options=-c synchronous_commit=off", 20, null),
        new("  + 4 workers", "", 4, null),
        new("  + 8 workers", "", 8, null),
        new("all: prepared, no CaptureCulture, 8 workers", "", 8, f => f is not CaptureCultureAttribute),
        new("all + synchronous_commit=off", ";Options=-c synchronous_commit=off", 8, f => f is not CaptureCultureAttribute),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        if (args.FirstOrDefault() == "create")
        {
            (await CreateCostAsync(adminCs)).ForEach(Console.WriteLine);
            return 0;
        }

        var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3_000;
        Console.WriteLine($"levers: {jobs} no-op jobs per lever; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        var rows = new List<string>();
        var n = 0;
        foreach (var lever in Levers)
        {
            var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_lever_{n++}", 100);
            await MigrateAsync(cs);
            using (var filler = await StartAsync(cs + lever.ConnectionSuffix, server: false, lever))
            {
                var client = filler.Services.GetRequiredService<IBackgroundJobClient>();
                await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(() =>
                {
                    for (var i = c; i < jobs; i += 8)
                    {
                        client.Enqueue(() => NoopJob.RunAsync(i));
                    }
                })));
                await filler.StopAsync();
            }

            var statements = new StatementCounter(cs);
            await statements.ResetAsync();
            var started = Stopwatch.GetTimestamp();
            using (var server = await StartAsync(cs + lever.ConnectionSuffix, server: true, lever))
            {
                var monitoring = server.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
                while (monitoring.EnqueuedCount("default") + monitoring.ProcessingCount() > 0)
                {
                    await Task.Delay(50);
                }

                var rate = jobs / Stopwatch.GetElapsedTime(started).TotalSeconds;
                var (perJob, commits) = await statements.PerJobAsync(jobs);
                await server.StopAsync();
                var line = FormattableString.Invariant(
                    $"{lever.Name,-48} statements/job {perJob,5:F1}  commits/job {commits,5:F1}  burn-down {rate,6:F0} jobs/s  load {Load()}");
                Console.WriteLine(line);
                rows.Add(line);
                if (lever.ConnectionSuffix.Length == 0 && lever.Keep is null && lever.Workers == 20 && !lever.RowLocks)
                {
                    foreach (var top in await statements.CostliestAsync(12))
                    {
                        Console.WriteLine("    " + top);
                    }
                }
            }
        }

        rows.AddRange(await CreateCostAsync(adminCs));
        Console.WriteLine();
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>Statements and commits per job created: the outbox's batches against one plain Create each.</summary>
    private static async Task<List<string>> CreateCostAsync(string adminCs)
    {
        const int count = 2_000;
        var lines = new List<string>();
        foreach (var batched in new[] { false, true })
        {
            var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_lever_create_{(batched ? "batched" : "single")}", 100);
            await MigrateAsync(cs);
            using var host = await StartAsync(cs, server: false, null);
            var messages = host.Services.GetRequiredService<IMessageClient>();
            var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
            var later = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(1);
            var ids = new List<long>(count);
            await host.Services.GetRequiredService<FollowUp.Jobs.Clients.ClientStore>().UpsertAsync("bench", new FollowUp.Jobs.Clients.ClientSettings
            {
                Name = "Bench", TimeZone = "UTC", WebhookSecret = "whsec_bench_0123456789",
                BusinessHours = new Dictionary<string, IReadOnlyList<string>> { ["mon"] = ["00:00", "24:00"] },
            }, CancellationToken.None);
            await using (var connection = await dataSource.OpenConnectionAsync())
            await using (var tx = await connection.BeginTransactionAsync())
            {
                var planned = await messages.PlanManyAsync(Enumerable.Range(0, count)
                    .Select(i => new NewMessage("bench", MessageKind.Reminder24h, Channel.Sms, "+12125550123", null, "Hello", later)).ToArray(), tx);
                ids.AddRange(planned.Ids);
                // Nothing wakes this node's outbox loop (its poll is a minute, its first pass ran at start), so
                // the rows wait for the measurement.
                await tx.CommitAsync();
            }

            var statements = new StatementCounter(cs);
            await statements.ResetAsync();
            var started = Stopwatch.GetTimestamp();
            var dispatcher = host.Services.GetRequiredService<MessageDispatcher>();
            if (batched)
            {
                var done = 0;
                while (done < count)
                {
                    var made = await dispatcher.DispatchAsync(null, OutboxLoop.BatchSize, CancellationToken.None);
                    if (made == 0)
                    {
                        break;
                    }

                    done += made;
                }
            }
            else
            {
                var now = SystemClock.Instance.GetCurrentInstant();
                foreach (var id in ids)
                {
                    dispatcher.Create(id, Channel.Sms, MessageKind.Reminder24h, "+12125550123", later, now);
                }
            }

            var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            var (perJob, commits) = await statements.PerJobAsync(count);
            var line = FormattableString.Invariant(
                $"{(batched ? "create: outbox, batches of 100, one transaction each" : "create: one IBackgroundJobClient.Create each"),-48} statements/job {perJob,5:F1}  commits/job {commits,5:F2}  {rate,6:F0} jobs/s  load {Load()}");
            Console.WriteLine(line);
            lines.Add(line);
            await host.StopAsync();
        }

        return lines;
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static async Task MigrateAsync(string cs)
    {
        await using var dataSource = NpgsqlDataSource.Create(cs);
        FollowUp.Jobs.DapperConfiguration.Apply();
        await new FollowUp.Jobs.Storage.MigrationRunner(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<FollowUp.Jobs.Storage.MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);
    }

    private static async Task<IHost> StartAsync(string cs, bool server, Lever? lever)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:FollowUp"] = cs,
            ["FollowUp:Engine:RunServer"] = server ? "true" : "false",
            ["FollowUp:Engine:WorkerCount"] = (lever?.Workers ?? 20).ToString(CultureInfo.InvariantCulture),
            ["FollowUp:Engine:DispatchPollMilliseconds"] = "60000",
        });
        if (lever?.Keep is { } keep)
        {
            builder.Services.AddSingleton<Hangfire.Common.IJobFilterProvider>(sp => FollowUp.Jobs.Engine.HangfireServiceCollectionExtensions.Filters(sp, keep));
        }

        if (lever?.RowLocks == true)
        {
            // Hangfire.PostgreSql's own storage (its row locks) with the product's options and connection
            // string, and the lock table left open to rows (the product's start-up closes it).
            builder.Services.AddSingleton<JobStorage>(sp =>
            {
                var options = FollowUp.Jobs.Engine.HangfireServiceCollectionExtensions.StorageOptions(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<EngineOptions>>().Value);
                var connectionString = sp.GetRequiredService<EngineConnections>().ConnectionString;
                return new Hangfire.PostgreSql.PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options);
            });
        }

        builder.Services.AddFollowUpJobs(builder.Configuration);
        if (lever?.RowLocks == true)
        {
            foreach (var guard in builder.Services.Where(d => d.ImplementationType == typeof(RowLockGuardStep)).ToList())
            {
                builder.Services.Remove(guard);
            }
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
