using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Dapper;
using FollowUp.Jobs;
using FollowUp.Jobs.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- dashboard [requests]</c>: seeds 1,000,000 messages (<see cref="DashboardSeed"/>) and their
/// 1,000,000 Hangfire jobs (<see cref="HangfireSeed"/>: bulk-inserted into Hangfire's tables by this
/// benchmark only, then checked by <see cref="HangfireSeedCheck"/> against jobs the product made and
/// through Hangfire's monitoring API), starts FollowUp.Web as its own process (no Hangfire server, so
/// nothing changes under the measurement), signs in, fetches one seeded job's details page of each kind
/// (200 and its display name, or the run fails), and requests each page of both dashboards sequentially
/// over HTTP with the session cookie: median and p95 per page after a warm-up, and the statements that
/// took the most database time on each page (pg_stat_statements, loaded by bench/run.sh).
/// </summary>
internal static partial class DashboardBenchmark
{
    private const string Password = "bench-admin-password";

    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        // "analytics": only the analytics views (the same seed and method, a shorter run).
        var only = args.Length > 1 ? args[1] : null;
        if (only is not (null or "analytics"))
        {
            throw new ArgumentException($"bench -- dashboard [requests] [analytics]: unknown '{only}'");
        }

        var webDll = Path.GetFullPath("FollowUp.Web/bin/Release/net10.0/FollowUp.Web.dll");
        if (!File.Exists(webDll))
        {
            throw new InvalidOperationException($"{webDll} is missing: build FollowUp.Web in Release first (bench/run.sh does).");
        }

        var cs = await BenchDatabase.CreateAsync(adminCs, "bench_dashboard", 50);
        IReadOnlyList<HangfireSeedCheck.SampleJob> samples;
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

            var messagesSeeded = seeding.Elapsed;
            // The seed's inserts went through the rollup triggers like any write; fold them as the recurring job would.
            var folding = Stopwatch.StartNew();
            var folded = await FollowUp.Web.Dashboard.Analytics.AnalyticsFoldJob.FoldAsync(dataSource, CancellationToken.None);
            Console.WriteLine(FormattableString.Invariant(
                $"analytics rollups: {folded:N0} change rows folded in {folding.Elapsed.TotalSeconds:F1} s into {await connection.ExecuteScalarAsync<long>("select count(*) from message_daily"):N0} rows of message_daily, {await connection.ExecuteScalarAsync<long>("select count(*) from message_daily_lateness"):N0} of message_daily_lateness"));
            await FollowUp.Web.Dashboard.Overview.StateCountJob.RefreshAsync(dataSource, NodaTime.SystemClock.Instance.GetCurrentInstant(), CancellationToken.None);
            if (only == "analytics")
            {
                // The analytics views read FollowUp's own tables only: no Hangfire seed (nor its check) for them.
                Console.WriteLine(FormattableString.Invariant($"seeded {await connection.ExecuteScalarAsync<long>("select count(*) from messages"):N0} messages in {messagesSeeded.TotalSeconds:F0} s; no Hangfire jobs (analytics only)"));
                samples = [];
            }
            else
            {
                var reference = HangfireSeed.MakeReference(cs, NodaTime.SystemClock.Instance.GetCurrentInstant());
                var jobsSeeding = Stopwatch.StartNew();
                var states = await HangfireSeed.SeedAsync(connection, reference);
                var jobsSeeded = jobsSeeding.Elapsed;
                var checking = Stopwatch.StartNew();
                samples = await HangfireSeedCheck.VerifyAsync(connection, cs, reference);
                await connection.ExecuteAsync($"drop schema {HangfireSeed.ReferenceSchema} cascade");
                Console.WriteLine(FormattableString.Invariant(
                    $"seeded {await connection.ExecuteScalarAsync<long>("select count(*) from messages"):N0} messages in {messagesSeeded.TotalSeconds:F0} s; {await connection.ExecuteScalarAsync<long>("select count(*) from hangfire.job"):N0} Hangfire jobs with {states:N0} states in {jobsSeeded.TotalSeconds:F0} s; checked in {checking.Elapsed.TotalSeconds:F0} s"));
            }
        }

        var port = WebProcess.FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        using var web = WebProcess.Start(webDll, cs, baseUrl, new Dictionary<string, string>
        {
            ["FollowUp__Dashboard__AdminPassword"] = Password,
            ["FollowUp__Dashboard__AllowInsecureCookies"] = "true", // plain HTTP on loopback, as ./run.sh
            ["FollowUp__Engine__RunServer"] = "false",
        });
        try
        {
            using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
            await WebProcess.WaitReadyAsync(http);
            await SignInAsync(http);
            await WaitForCountsAsync(cs);
            await CheckDetailsPagesAsync(http, samples);
            var detail = samples.FirstOrDefault(s => s.Class == "Failed");
            var stats = only == "analytics" ? Get("/hangfire/stats") : await StatsRequestAsync(http);

            var today = NodaTime.SystemClock.Instance.GetCurrentInstant().InUtc().Date;
            string Day(NodaTime.LocalDate d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var analytics = new (string Name, string Path)[]
            {
                ("analytics (14 days, all clients)", "/dashboard/analytics"),
                ("analytics (14 days, one client)", "/dashboard/analytics?client_id=client-7"),
                ("analytics (366 days, all clients)", $"/dashboard/analytics?from={Day(today.PlusDays(-365))}&to={Day(today)}"),
                ("analytics CSV (14 days, all clients)", "/dashboard/analytics.csv"),
                ("analytics CSV (366 days, one client)", $"/dashboard/analytics.csv?from={Day(today.PlusDays(-365))}&to={Day(today)}&client_id=client-7"),
            };
            foreach (var (name, path) in analytics)
            {
                using var check = await http.GetAsync(new Uri(path, UriKind.Relative));
                if (check.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{path} ({name}) answered {(int)check.StatusCode}");
                }
            }

            var pages = only == "analytics" ? analytics : new (string Name, string Path)[]
            {
                ("overview", "/dashboard"),
                ("hangfire home (graphs)", "/hangfire"),
                ("hangfire stats poll", "/hangfire/stats"),
                ("hangfire enqueued (queues)", "/hangfire/jobs/enqueued"),
                ("hangfire enqueued (critical)", "/hangfire/jobs/enqueued/critical"),
                ("hangfire scheduled", "/hangfire/jobs/scheduled"),
                ("hangfire processing", "/hangfire/jobs/processing"),
                ("hangfire succeeded", "/hangfire/jobs/succeeded"),
                ("hangfire succeeded, page 500", "/hangfire/jobs/succeeded?from=9980&count=20"),
                ("hangfire failed", "/hangfire/jobs/failed"),
                ("hangfire deleted", "/hangfire/jobs/deleted"),
                ("hangfire awaiting", "/hangfire/jobs/awaiting"),
                ("hangfire retries", "/hangfire/retries"),
                ("hangfire recurring", "/hangfire/recurring"),
                ("hangfire servers", "/hangfire/servers"),
                ($"hangfire job details ({detail!.States} states)", $"/hangfire/jobs/details/{detail.Id}"),
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
            }.Concat(analytics).ToArray();

            var statements = new StatementCounter(cs);
            var costly = new List<string>();
            await WaitForQuietAsync();
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant($"{Environment.ProcessorCount} CPUs; load average at start: {LoadAverage()}"));
            Console.WriteLine($"| page | median ms | p95 ms | max ms | KiB |  ({requests} sequential requests each, after 5 warm-up)");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var (name, path) in pages)
            {
                await statements.ResetAsync();
                var (p50, p95, max, bytes) = await MeasureAsync(http, path == "/hangfire/stats" ? stats : Get(path), requests);
                Console.WriteLine(FormattableString.Invariant($"| {name} | {p50:F1} | {p95:F1} | {max:F1} | {bytes / 1024.0:F0} |"));
                costly.AddRange((await statements.CostliestAsync(2)).Select(c => $"| {name} | {c} |"));
            }

            Console.WriteLine(FormattableString.Invariant($"load average at end: {LoadAverage()}"));
            Console.WriteLine();
            Console.WriteLine("| page | statement | calls | mean ms | share of the page's database time |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: |");
            costly.ForEach(Console.WriteLine);
        }
        finally
        {
            web.Kill(entireProcessTree: true);
            await web.WaitForExitAsync();
        }

        return 0;
    }

    private static Func<HttpRequestMessage> Get(string path) => () => new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));

    /// <summary>
    /// The request the stock dashboard's script polls with (every 2 s by default, on every page): a POST of
    /// the metric names the page shows, with its anti-forgery header — here those of the home page.
    /// </summary>
    private static async Task<Func<HttpRequestMessage>> StatsRequestAsync(HttpClient http)
    {
        var home = await http.GetStringAsync(new Uri("/hangfire", UriKind.Relative));
        var header = CsrfHeaderPattern().Match(home).Groups[1].Value;
        var token = CsrfTokenPattern().Match(home).Groups[1].Value;
        var metrics = MetricPattern().Matches(home).Select(m => m.Groups[1].Value).Distinct().ToList();
        if (header.Length == 0 || token.Length == 0 || metrics.Count == 0)
        {
            throw new InvalidOperationException("The /hangfire page has no anti-forgery meta tags or metrics to poll.");
        }

        Console.WriteLine($"stats poll: {metrics.Count} metrics ({string.Join(", ", metrics)})");
        return () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/hangfire/stats", UriKind.Relative))
            {
                Content = new FormUrlEncodedContent(metrics.Select(m => new KeyValuePair<string, string>("metrics[]", m))),
            };
            request.Headers.Add(header, token);
            return request;
        };
    }

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfHeaderPattern();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfTokenPattern();

    [GeneratedRegex("data-metric=\"([^\"]+)\"")]
    private static partial Regex MetricPattern();

    /// <summary>Each sample job's details page answers 200 and shows its display name, or the benchmark fails.</summary>
    private static async Task CheckDetailsPagesAsync(HttpClient http, IReadOnlyList<HangfireSeedCheck.SampleJob> samples)
    {
        foreach (var sample in samples)
        {
            using var response = await http.GetAsync(new Uri($"/hangfire/jobs/details/{sample.Id}", UriKind.Relative));
            var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            if (response.StatusCode != HttpStatusCode.OK || !page.Contains(sample.DisplayName, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"/hangfire/jobs/details/{sample.Id} ({sample.Class}) answered {(int)response.StatusCode} without \"{sample.DisplayName}\"");
            }

            Console.WriteLine($"details page of job {sample.Id} ({sample.Class}, {sample.States} states): 200, \"{sample.DisplayName}\"");
        }
    }

    /// <summary>
    /// The machine is shared (other builds and tests come and go): wait, up to 20 minutes (or FOLLOWUP_BENCH_QUIET_MINUTES), for the 1-minute
    /// load average to fall below three quarters of the CPU count before measuring, and say how long it took.
    /// </summary>
    private static async Task WaitForQuietAsync()
    {
        var waited = Stopwatch.StartNew();
        // FOLLOWUP_BENCH_QUIET_MINUTES shortens the wait when a deadline is nearer than the quiet (the load is printed either way).
        var limit = TimeSpan.FromMinutes(int.TryParse(Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_QUIET_MINUTES"), NumberStyles.None,
            CultureInfo.InvariantCulture, out var minutes) ? minutes : 20);
        while (waited.Elapsed < limit && File.Exists("/proc/loadavg")
               && double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) >= Environment.ProcessorCount * 0.75)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
        }

        Console.WriteLine(FormattableString.Invariant($"waited {waited.Elapsed.TotalSeconds:F0} s for the load to settle"));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

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

    private static async Task<(double P50, double P95, double Max, long Bytes)> MeasureAsync(HttpClient http, Func<HttpRequestMessage> request, int requests)
    {
        long bytes = 0;
        for (var i = 0; i < 5; i++)
        {
            using var warmUp = request();
            bytes = await FetchAsync(http, warmUp);
        }

        var times = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            using var message = request();
            var watch = Stopwatch.StartNew();
            await FetchAsync(http, message);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.95) - 1], times[^1], bytes);
    }

    private static async Task<long> FetchAsync(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}");
        }

        return body.Length;
    }

}
