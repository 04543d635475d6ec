using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Dapper;
using FollowUp.Jobs.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- dashboard [requests] [hangfire jobs]</c>: seeds 1,000,000 messages (DashboardSeed) and
/// makes Hangfire jobs through Hangfire's own client (20,000 by default: 10,000 Enqueued, 5,000
/// Scheduled, 5,000 Failed — Hangfire's tables are never written by hand, and its client makes a few
/// hundred a second here), starts FollowUp.Web as its own process (no Hangfire server, so nothing
/// changes under the measurement), signs in, and requests each page of both dashboards sequentially over
/// HTTP with the session cookie: p50 and p95 per page after a warm-up.
/// </summary>
internal static partial class DashboardBenchmark
{
    private const string Password = "bench-admin-password";

    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var hangfireJobs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var webDll = Path.GetFullPath("FollowUp.Web/bin/Release/net10.0/FollowUp.Web.dll");
        if (!File.Exists(webDll))
        {
            throw new InvalidOperationException($"{webDll} is missing: build FollowUp.Web in Release first (bench/run.sh does).");
        }

        var cs = await BenchDatabase.CreateAsync(adminCs, "bench_dashboard", 50);
        await using (var dataSource = new NpgsqlDataSourceBuilder(cs).UseNodaTime().Build())
        {
            DapperConfiguration.Apply();
            await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
            var seeding = Stopwatch.StartNew();
            await using var connection = await dataSource.OpenConnectionAsync();
            foreach (var statement in DashboardSeed.Statements)
            {
                await connection.ExecuteAsync(new CommandDefinition(statement, commandTimeout: 600));
            }

            await FollowUp.Jobs.Jobs.StateCountJob.RefreshAsync(dataSource, NodaTime.SystemClock.Instance.GetCurrentInstant(), CancellationToken.None);
            var made = HangfireJobs(cs, hangfireJobs);
            Console.WriteLine(FormattableString.Invariant(
                $"seeded {await connection.ExecuteScalarAsync<long>("select count(*) from messages"):N0} messages and {made:N0} Hangfire jobs in {seeding.Elapsed.TotalSeconds:F0} s"));
        }

        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        using var web = StartWeb(webDll, cs, baseUrl);
        try
        {
            using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
            await WaitReadyAsync(http);
            await SignInAsync(http);
            await WaitForCountsAsync(cs);

            var pages = new (string Name, string Path)[]
            {
                ("overview", "/dashboard"),
                ("hangfire overview", "/hangfire"),
                ("hangfire enqueued (default)", "/hangfire/jobs/enqueued/default"),
                ("hangfire scheduled", "/hangfire/jobs/scheduled"),
                ("hangfire failed", "/hangfire/jobs/failed"),
                ("hangfire job detail", "/hangfire/jobs/details/100"),
                ("hangfire recurring", "/hangfire/recurring"),
                ("hangfire servers", "/hangfire/servers"),
                ("dead letters", "/dashboard/deadletters"),
                ("messages sent", "/dashboard/messages?status=sent"),
                ("messages sent, older page", "/dashboard/messages?status=sent&before=500000"),
                ("messages skipped", "/dashboard/messages?status=skipped"),
                ("message detail", "/dashboard/messages/500000"),
                ("schedule (48 h)", "/dashboard/schedule"),
                ("calls", "/dashboard/calls"),
                ("calls failed", "/dashboard/calls?status=failed"),
                ("audit", "/dashboard/audit"),
                ("users", "/dashboard/users"),
                ("compose", "/dashboard/compose"),
            };

            Console.WriteLine();
            Console.WriteLine($"| page | p50 ms | p95 ms | max ms | KiB |  ({requests} sequential requests each, after 5 warm-up)");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var (name, path) in pages)
            {
                var (p50, p95, max, bytes) = await MeasureAsync(http, path, requests);
                Console.WriteLine(FormattableString.Invariant($"| {name} | {p50:F1} | {p95:F1} | {max:F1} | {bytes / 1024.0:F0} |"));
            }
        }
        finally
        {
            web.Kill(entireProcessTree: true);
            await web.WaitForExitAsync();
        }

        return 0;
    }

    /// <summary>Hangfire jobs through its own client, 8 callers: half Enqueued, a quarter Scheduled, a quarter Failed.</summary>
    private static long HangfireJobs(string cs, int count)
    {
        var storage = new Hangfire.PostgreSql.PostgreSqlStorage(
            new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(cs, new Hangfire.PostgreSql.PostgreSqlStorageOptions()),
            new Hangfire.PostgreSql.PostgreSqlStorageOptions { PrepareSchemaIfNecessary = false });
        var client = new Hangfire.BackgroundJobClient(storage);
        var failure = new InvalidOperationException("twilio refused (503)");
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var job = Hangfire.Common.Job.FromExpression(() => Jobs.NoopJob.RunAsync(i));
            Hangfire.States.IState state = (i % 4) switch
            {
                0 or 1 => new Hangfire.States.EnqueuedState(),
                2 => new Hangfire.States.ScheduledState(TimeSpan.FromDays(1 + i % 7)),
                _ => new Hangfire.States.FailedState(failure),
            };
            client.Create(job, state);
        });
        return count;
    }

    private static Process StartWeb(string webDll, string cs, Uri baseUrl)
    {
        var start = new ProcessStartInfo("dotnet", [webDll])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(webDll))))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__FollowUp"] = cs;
        start.Environment["ASPNETCORE_URLS"] = baseUrl.ToString();
        start.Environment["FollowUp__Dashboard__AdminPassword"] = Password;
        start.Environment["FollowUp__Dashboard__AllowInsecureCookies"] = "true"; // plain HTTP on loopback, as ./run.sh
        start.Environment["FollowUp__Engine__RunServer"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("web: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 240; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(500);
        }

        throw new InvalidOperationException("FollowUp.Web did not become ready in 2 minutes.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static async Task SignInAsync(HttpClient http)
    {
        var form = await http.GetStringAsync(new Uri("/dashboard/login", UriKind.Relative));
        var token = TokenPattern().Match(form).Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "admin", ["password"] = Password, ["__RequestVerificationToken"] = token,
        });
        var response = await http.PostAsync(new Uri("/dashboard/login", UriKind.Relative), content);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in failed: {(int)response.StatusCode}");
        }
    }

    private static async Task WaitForCountsAsync(string cs)
    {
        await using var connection = new NpgsqlConnection(cs);
        for (var i = 0; i < 120 && await connection.ExecuteScalarAsync<long>("select count(*) from state_counts") == 0; i++)
        {
            await Task.Delay(500);
        }
    }

    private static async Task<(double P50, double P95, double Max, long Bytes)> MeasureAsync(HttpClient http, string path, int requests)
    {
        var uri = new Uri(path, UriKind.Relative);
        long bytes = 0;
        for (var i = 0; i < 5; i++)
        {
            bytes = await FetchAsync(http, uri);
        }

        var times = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var watch = Stopwatch.StartNew();
            await FetchAsync(http, uri);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.95) - 1], times[^1], bytes);
    }

    private static async Task<long> FetchAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {uri} answered {(int)response.StatusCode}");
        }

        return body.Length;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
