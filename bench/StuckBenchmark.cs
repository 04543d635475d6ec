using System.Diagnostics;
using System.Globalization;
using Dapper;
using FollowUp.Tests.Support.Jobs;
using FollowUp.Jobs;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- stuck [jobs] [restart]</c>: FollowUp's configuration, a server running, <c>jobs</c> no-op
/// jobs (default 100,000) enqueued by 4 callers while it burns them down; with <c>restart</c>, PostgreSQL
/// itself is restarted (pg_ctl restart -m fast) twice mid-run, the app process staying up. Reports how
/// many jobs were enqueued, how many callers were refused (told so, not lost), how many ran, and how many
/// are left Enqueued for good (stuck) after everything drained.
/// </summary>
internal static class StuckBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG is required; bench/run.sh sets it.");
        var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var restart = args.Contains("restart");
        var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_stuck_{Environment.ProcessId}", 100);
        CountingJob.Reset();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:FollowUp"] = cs });
        builder.Services.AddFollowUpJobs(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IBackgroundJobClient>();
        var monitoring = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();

        var started = Stopwatch.GetTimestamp();
        long enqueued = 0, refused = 0;
        var restarts = restart ? RestartTwiceAsync(() => Interlocked.Read(ref enqueued), total) : Task.CompletedTask;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (var i = c; i < total; i += 4)
            {
                try
                {
                    client.Enqueue(() => CountingJob.RunAsync(i));
                    Interlocked.Increment(ref enqueued);
                }
                catch (BackgroundJobClientException)
                {
                    Interlocked.Increment(ref refused);
                    await Task.Delay(100);
                }
            }
        })));
        await restarts;

        // Drained: nothing Enqueued or Processing has moved for a minute.
        long last = -1, quiet = 0;
        while (quiet < 60)
        {
            await Task.Delay(1000);
            var left = Safe(() => monitoring.EnqueuedCount("default") + monitoring.ProcessingCount());
            quiet = left == last ? quiet + 1 : 0;
            last = left;
            if (left == 0)
            {
                break;
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        // A read-only look at Hangfire's table for the report; the product reads it only through Hangfire's API.
        var stuck = await connection.ExecuteScalarAsync<long>("select count(*) from hangfire.job where statename in ('Enqueued', 'Processing')");
        var succeeded = await connection.ExecuteScalarAsync<long>("select count(*) from hangfire.job where statename = 'Succeeded'");
        Console.WriteLine(FormattableString.Invariant(
            $"jobs {total}, enqueued {enqueued}, refused while the database was away {refused}, ran {CountingJob.Distinct} (runs {CountingJob.Runs}), succeeded {succeeded}, stuck {stuck}, {seconds:F0} s, {enqueued / seconds:F0} jobs/s end to end, restarts {(restart ? 2 : 0)}"));
        await host.StopAsync();
        return stuck == 0 ? 0 : 1;
    }

    private static long Safe(Func<long> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return -1;
        }
    }

    private static async Task RestartTwiceAsync(Func<long> enqueued, int total)
    {
        var data = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PGDATA")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PGDATA is required for restart; bench/run.sh sets it.");
        foreach (var at in new[] { total / 3, 2 * total / 3 })
        {
            while (enqueued() < at)
            {
                await Task.Delay(200);
            }

            var psi = new ProcessStartInfo("bash", ["-c", $"source scripts/pg.sh && as_pg \"$PG_BIN/pg_ctl\" -D '{data}' -m fast -w restart >/dev/null"]);
            using var process = Process.Start(psi)!;
            await process.WaitForExitAsync();
            Console.WriteLine($"  PostgreSQL restarted at {enqueued()} enqueued (exit {process.ExitCode})");
        }
    }
}
