using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using FollowUp.Bench.Jobs;
using FollowUp.Jobs;
using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- engine</c>: enqueue rates (1 and 16 callers, batches of 1,000), burn-down of 100,000
/// no-op jobs, lateness of 10,000 jobs due in the same second, and the same server's single-row
/// INSERT commit ceiling (pgbench), each repeated and reported as a median.
/// </summary>
internal static partial class EngineBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var only = args.Length > 1 ? args[1] : "all"; // "enqueue" runs the ceiling and enqueue measures only
        var results = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string key, double value)
        {
            (results.TryGetValue(key, out var l) ? l : results[key] = []).Add(value);
            Console.WriteLine(FormattableString.Invariant($"  {key}: {value:F1}"));
        }

        for (var run = 1; run <= repeats; run++)
        {
            Console.WriteLine($"run {run} of {repeats}");
            var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_{run}_{Environment.ProcessId}", 100);
            Add("ceiling_insert_commits_per_s_1", await PgbenchAsync(cs, 1));
            Add("ceiling_insert_commits_per_s_16", await PgbenchAsync(cs, 16));

            using (var host = await StartAsync(cs, runWorker: false))
            {
                var client = host.Services.GetRequiredService<IJobClient>();
                Add("enqueue_single_1_caller_jobs_per_s", await EnqueueSingleAsync(client, callers: 1, total: 3_000));
                Add("enqueue_single_16_callers_jobs_per_s", await EnqueueSingleAsync(client, callers: 16, total: 16_000));
                Add("enqueue_batch_1000_jobs_per_s", await EnqueueBatchAsync(client, batches: 50));
                await host.StopAsync();
            }

            if (only == "enqueue")
            {
                continue;
            }

            await TruncateAsync(cs);
            Add("burn_down_100k_jobs_per_s", await BurnDownAsync(cs, 100_000));
            await TruncateAsync(cs);
            var (p50, p99) = await LatenessAsync(cs, 10_000);
            Add("lateness_10k_same_second_p50_ms", p50);
            Add("lateness_10k_same_second_p99_ms", p99);
        }

        Console.WriteLine();
        Console.WriteLine($"medians of {repeats} runs");
        foreach (var (key, values) in results)
        {
            Console.WriteLine(FormattableString.Invariant($"{key,-40} {Median(values),12:F1}"));
        }

        if (only == "enqueue")
        {
            return 0;
        }

        var ratio1 = Median(results["enqueue_single_1_caller_jobs_per_s"]) / Median(results["ceiling_insert_commits_per_s_1"]);
        var ratio16 = Median(results["enqueue_single_16_callers_jobs_per_s"]) / Median(results["ceiling_insert_commits_per_s_16"]);
        Console.WriteLine(FormattableString.Invariant($"{"enqueue_vs_ceiling_1_caller",-40} {ratio1,12:P0}"));
        Console.WriteLine(FormattableString.Invariant($"{"enqueue_vs_ceiling_16_callers",-40} {ratio16,12:P0}"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }


    private static async Task<IHost> StartAsync(string cs, bool runWorker)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:FollowUp"] = cs,
            ["FollowUp:Engine:RunWorker"] = runWorker ? "true" : "false",
            ["FollowUp:Engine:Concurrency"] = "256",
            ["FollowUp:Engine:BatchSize"] = "512",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddFollowUpJobs(builder.Configuration).AddJob<NoopJob>();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task TruncateAsync(string cs)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await connection.ExecuteAsync("truncate jobs, job_history, dead_letters, job_counters restart identity cascade");
        await connection.ExecuteAsync("vacuum analyze jobs");
    }

    private static async Task<double> EnqueueSingleAsync(IJobClient client, int callers, int total)
    {
        var perCaller = total / callers;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                await client.EnqueueAsync<NoopJob>(new NoopArgs(i));
            }
        })));
        return perCaller * callers / stopwatch.Elapsed.TotalSeconds;
    }

    private static async Task<double> EnqueueBatchAsync(IJobClient client, int batches)
    {
        var batch = Enumerable.Range(0, 1_000).Select(i => JobRequest.For<NoopJob>(new NoopArgs(i))).ToList();
        var stopwatch = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            await client.EnqueueManyAsync(batch);
        }

        return batches * 1_000 / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>Inserts <paramref name="count"/> jobs with no worker running, then times a worker clearing them.</summary>
    private static async Task<double> BurnDownAsync(string cs, int count)
    {
        using (var producer = await StartAsync(cs, runWorker: false))
        {
            var client = producer.Services.GetRequiredService<IJobClient>();
            for (var done = 0; done < count; done += 5_000)
            {
                await client.EnqueueManyAsync(Enumerable.Range(0, 5_000).Select(i => JobRequest.For<NoopJob>(new NoopArgs(i))).ToList());
            }

            await producer.StopAsync();
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await connection.ExecuteAsync("vacuum analyze jobs");
        var stopwatch = Stopwatch.StartNew();
        using var host = await StartAsync(cs, runWorker: true);
        while (await RemainingAsync(connection) > 0)
        {
            await Task.Delay(50);
        }

        var rate = count / stopwatch.Elapsed.TotalSeconds;
        await host.StopAsync();
        return rate;
    }

    private static Task<long> RemainingAsync(NpgsqlConnection connection) => connection.ExecuteScalarAsync<long>(
        "select count(*) from jobs where state in ('Scheduled', 'Enqueued', 'Failed', 'Processing')");

    /// <summary>Schedules <paramref name="count"/> jobs for one instant 3 s ahead; lateness is claim time minus due time.</summary>
    private static async Task<(double P50, double P99)> LatenessAsync(string cs, int count)
    {
        using var host = await StartAsync(cs, runWorker: true);
        var client = host.Services.GetRequiredService<IJobClient>();
        var due = SystemClock.Instance.GetCurrentInstant() + Duration.FromSeconds(3);
        await client.EnqueueManyAsync(Enumerable.Range(0, count).Select(i => JobRequest.For<NoopJob>(new NoopArgs(i), due)).ToList());
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        while (await RemainingAsync(connection) > 0)
        {
            await Task.Delay(50);
        }

        await host.StopAsync();
        var lateness = (await connection.QueryAsync<double>("""
            select extract(epoch from (h.at - j.run_at)) * 1000
            from job_history h join jobs j on j.id = h.job_id
            where h.state = 'Processing' order by 1
            """)).ToList();
        return (lateness[(int)(lateness.Count * 0.50)], lateness[Math.Min(lateness.Count - 1, (int)(lateness.Count * 0.99))]);
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
