using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using FollowUp.Tests.Support.Jobs;
using FollowUp.Jobs;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- engine [repeats] [setup]</c>: on one cluster, for each of two Hangfire setups — <b>stock</b>
/// (Hangfire.PostgreSql as its README shows it: default options, default worker count, Hangfire's own
/// retry) and <b>followup</b> (<c>AddFollowUpJobs</c> with its defaults) — each in a fresh database:
/// enqueue rate with 1 and 16 callers; burn-down of 20,000 no-op jobs; lateness p50/p99 of delayed jobs
/// for a steady 20 due per second for a minute and for 10,000 due in the same second; statements and
/// commits per job (pg_stat_statements, pg_stat_database); and the pgbench single-row commit ceiling of
/// that run. Medians over the repeats.
/// </summary>
internal static partial class EngineBenchmark
{
    private const int BurnDownJobs = 20_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        if (args.Length > 0 && args[0] == "burst")
        {
            return await BurstAsync(adminCs, args[1..]);
        }

        var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        string[] setups = args.Length > 1 ? [args[1]] : ["stock", "followup"];
        var results = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string key, double value)
        {
            (results.TryGetValue(key, out var l) ? l : results[key] = []).Add(value);
            Console.WriteLine(FormattableString.Invariant($"  {key}: {value:F1}"));
        }

        for (var run = 1; run <= repeats; run++)
        {
            Console.WriteLine($"run {run} of {repeats}");
            var ceilingCs = await BenchDatabase.CreateAsync(adminCs, $"bench_ceiling_{Environment.ProcessId}", 100);
            Add("ceiling_insert_commits_per_s_1", await PgbenchAsync(ceilingCs, 1));
            Add("ceiling_insert_commits_per_s_16", await PgbenchAsync(ceilingCs, 16));
            foreach (var setup in setups)
            {
                var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_{setup}_{run}_{Environment.ProcessId}", 100);
                await MigrateAsync(cs);
                var statements = new StatementCounter(cs);

                using (var host = await StartAsync(setup, cs, server: false))
                {
                    var client = host.Services.GetRequiredService<IBackgroundJobClient>();
                    await statements.ResetAsync();
                    Add($"{setup}.enqueue_1_caller_jobs_per_s", await EnqueueAsync(client, callers: 1, total: 2_000));
                    var (perEnqueue, commitsPerEnqueue) = await statements.PerJobAsync(2_000);
                    Add($"{setup}.statements_per_enqueue", perEnqueue);
                    Add($"{setup}.commits_per_enqueue", commitsPerEnqueue);
                    Add($"{setup}.enqueue_16_callers_jobs_per_s", await EnqueueAsync(client, callers: 16, total: 8_000));
                    await FillAsync(client, BurnDownJobs - 10_000);
                    await host.StopAsync();
                }

                await statements.ResetAsync();
                Add($"{setup}.burn_down_20k_jobs_per_s", await BurnDownAsync(setup, cs));
                var (perJob, commitsPerJob) = await statements.PerJobAsync(BurnDownJobs);
                Add($"{setup}.statements_per_job_processed", perJob);
                Add($"{setup}.commits_per_job_processed", commitsPerJob);

                var (steady50, steady99) = await LatenessAsync(setup, cs, perSecond: 20, seconds: 60);
                Add($"{setup}.lateness_steady_20_per_s_p50_ms", steady50);
                Add($"{setup}.lateness_steady_20_per_s_p99_ms", steady99);
                var (burst50, burst99) = await LatenessAsync(setup, cs, perSecond: 10_000, seconds: 1);
                Add($"{setup}.lateness_10k_same_second_p50_ms", burst50);
                Add($"{setup}.lateness_10k_same_second_p99_ms", burst99);
                Add($"{setup}.stuck_jobs", await StuckAsync(cs));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"medians of {repeats} run(s)");
        foreach (var (key, values) in results)
        {
            Console.WriteLine(FormattableString.Invariant($"{key,-48} {Median(values),12:F1}"));
        }

        return 0;
    }

    /// <summary>
    /// <c>engine burst [parallelism…]</c>: only the 10,000-due-in-one-second lateness, for stock and for
    /// FollowUp's configuration at each scheduler parallelism given (default 1, 4, 8), in one run.
    /// </summary>
    private static async Task<int> BurstAsync(string adminCs, string[] args)
    {
        int[] levels = args.Length > 0 ? [.. args.Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [1, 4, 8];
        var rows = new List<string>();
        foreach (var (setup, parallelism) in new[] { ("stock", 0) }.Concat(levels.Select(l => ("followup", l))))
        {
            var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_burst_{setup}_{parallelism}_{Environment.ProcessId}", 100);
            await MigrateAsync(cs);
            var (p50, p99) = await LatenessAsync(setup, cs, perSecond: 10_000, seconds: 1, parallelism);
            var name = setup == "stock" ? "stock Hangfire.PostgreSql" : $"followup, scheduler parallelism {parallelism}";
            var row = FormattableString.Invariant(
                $"{name,-36} 10,000 due in one second: lateness p50 {p50,9:F0} ms  p99 {p99,9:F0} ms  load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine(row);
            rows.Add(row);
        }

        Console.WriteLine();
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Both setups get the same database: FollowUp's migrations, which install Hangfire's schema too.</summary>
    private static async Task MigrateAsync(string cs)
    {
        await using var dataSource = NpgsqlDataSource.Create(cs);
        FollowUp.Jobs.DapperConfiguration.Apply();
        await new FollowUp.Jobs.Storage.MigrationRunner(dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<FollowUp.Jobs.Storage.MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);
    }

    private static async Task<IHost> StartAsync(string setup, string cs, bool server, int schedulerParallelism = 0)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (setup == "stock")
        {
            // As Hangfire.PostgreSql's README shows it; nothing tuned.
            builder.Services.AddHangfire(c => c
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(cs)));
            if (server)
            {
                builder.Services.AddHangfireServer();
            }
        }
        else
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:FollowUp"] = cs,
                ["FollowUp:Engine:RunServer"] = server ? "true" : "false",
            });
            if (schedulerParallelism > 0)
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["FollowUp:Engine:SchedulerParallelism"] = schedulerParallelism.ToString(CultureInfo.InvariantCulture),
                });
            }
            builder.Services.AddFollowUpJobs(builder.Configuration);
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<double> EnqueueAsync(IBackgroundJobClient client, int callers, int total)
    {
        var perCaller = total / callers;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                client.Enqueue(() => NoopJob.RunAsync(i));
            }
        })));
        return perCaller * callers / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static Task FillAsync(IBackgroundJobClient client, int count) =>
        Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(() =>
        {
            for (var i = 0; i < count / 8; i++)
            {
                client.Enqueue(() => NoopJob.RunAsync(i));
            }
        })));

    /// <summary>With the queue filled while no server ran, times a server clearing it.</summary>
    private static async Task<double> BurnDownAsync(string setup, string cs)
    {
        var started = Stopwatch.GetTimestamp();
        using var host = await StartAsync(setup, cs, server: true);
        var monitoring = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        while (monitoring.EnqueuedCount("default") + monitoring.ProcessingCount() > 0)
        {
            await Task.Delay(50);
        }

        var rate = BurnDownJobs / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await host.StopAsync();
        return rate;
    }

    /// <summary>
    /// Schedules <paramref name="perSecond"/> jobs due in each of <paramref name="seconds"/> seconds,
    /// starting 5 s ahead, on a running server; lateness is when each started minus when it was due.
    /// </summary>
    private static async Task<(double P50, double P99)> LatenessAsync(string setup, string cs, int perSecond, int seconds, int schedulerParallelism = 0)
    {
        LatenessJob.LatenessMs.Clear();
        using var host = await StartAsync(setup, cs, server: true, schedulerParallelism);
        var client = host.Services.GetRequiredService<IBackgroundJobClient>();
        var first = BenchClock.UnixMs() + 5_000;
        var total = perSecond * seconds;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(() =>
        {
            for (var i = c; i < total; i += 8)
            {
                var due = first + (long)i * 1000 / perSecond;
                client.Schedule(() => LatenessJob.RunAsync(due), DateTimeOffset.FromUnixTimeMilliseconds(due));
            }
        })));
        var deadline = Stopwatch.GetTimestamp();
        while (LatenessJob.LatenessMs.Count < total && Stopwatch.GetElapsedTime(deadline) < TimeSpan.FromSeconds(seconds + 300))
        {
            await Task.Delay(100);
        }

        await host.StopAsync();
        var sorted = LatenessJob.LatenessMs.Order().ToList();
        if (sorted.Count < total)
        {
            Console.WriteLine($"  ({setup}: only {sorted.Count} of {total} delayed jobs ran within the time allowed)");
        }

        return sorted.Count == 0 ? (double.NaN, double.NaN)
            : (sorted[(int)(sorted.Count * 0.50)], sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))]);
    }

    /// <summary>Jobs still Enqueued after everything drained: what the issue calls stuck (0 expected).</summary>
    private static async Task<double> StuckAsync(string cs)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        // Read-only look at Hangfire's table for the report; the product reads it only through Hangfire's API.
        return await connection.ExecuteScalarAsync<long>("select count(*) from hangfire.job where statename = 'Enqueued'");
    }

    /// <summary>pgbench: single-row INSERT commits per second at the given client count (10 s).</summary>
    private static async Task<double> PgbenchAsync(string cs, int clients)
    {
        var b = new NpgsqlConnectionStringBuilder(cs);
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("create table if not exists pgbench_ceiling (id bigint generated always as identity primary key, payload text not null, at timestamptz not null default now())");
        }

        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, "insert into pgbench_ceiling (payload) values ('{\"n\":1}');\n");
        var pgbench = File.Exists("/usr/lib/postgresql/15/bin/pgbench") ? "/usr/lib/postgresql/15/bin/pgbench" : "pgbench";
        var psi = new ProcessStartInfo(pgbench,
            $"-n -h {b.Host} -p {b.Port} -U {b.Username} -c {clients} -j {Math.Min(clients, 2)} -T 10 -f {script} {b.Database}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(script);
        var match = TpsPattern().Match(output);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("pgbench printed no tps: " + output + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsPattern();
}
