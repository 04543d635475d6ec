using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dapper;
using FollowUp.Jobs.Calls;
using Npgsql;
using NodaTime;
using NodaTime.Text;
using FollowUp.Jobs.Signing;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- webhooks [seconds] [--with-worker] [--rates 100,300,1000]</c>: signed <c>POST /webhooks/calls</c> (booked, customer
/// with email, appointment three days ahead: 6 messages and 6 jobs each) against the real app, started
/// as its own process on a fresh database, at fixed offered rates of 100, 300 and 1,000/s. Open loop:
/// request i is due at start + i/rate whether or not earlier ones have answered, and its latency is
/// measured from when it was due, so a stalled server shows as latency, not as a lower offered rate.
/// Latency percentiles are of the accepted (202) webhooks; those shed with 503 (the node's limit,
/// FollowUp:Webhooks, which telephony retries) and errors (timeouts, others) are counted apart.
/// By default the app's job worker is off, measuring intake alone; --with-worker also sends the
/// confirmations (sandbox providers) while taking webhooks. <c>--compare path/to/FollowUp.Web.dll</c> measures
/// another build first at each rate, in the same run.
/// </summary>
internal static class WebhookBenchmark
{
    private const string ApiKey = "bench-api-key-0123456789";
    private const string Secret = "whsec_bench_0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        var seconds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var s) ? s : 30;
        var withWorker = args.Contains("--with-worker");
        var ratesAt = Array.IndexOf(args, "--rates");
        var rates = ratesAt >= 0 && ratesAt + 1 < args.Length
            ? args[ratesAt + 1].Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray()
            : [100, 300, 1_000];
        // --compare <FollowUp.Web.dll>: another build (the commit before a change, say) measured first at
        // each rate, on the same cluster in the same run, so both see the same machine.
        var compareAt = Array.IndexOf(args, "--compare");
        var apps = new List<(string Label, string Dll)>();
        if (compareAt >= 0 && compareAt + 1 < args.Length)
        {
            apps.Add(("compared", File.Exists(args[compareAt + 1]) ? args[compareAt + 1] : throw new FileNotFoundException("--compare " + args[compareAt + 1])));
        }

        apps.Add(("this", FindWebDll()));
        Console.WriteLine($"webhooks: {seconds} s per rate, worker {(withWorker ? "on" : "off")}, apps {string.Join(", ", apps.Select(a => a.Label + " " + a.Dll))}");
        var rows = new List<string>();
        foreach (var rate in rates)
        foreach (var (label, web) in apps)
        {
            var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_webhooks_{rate}_{label}", 100);
            var port = WebProcess.FreePort();
            using var app = StartApp(web, cs, port, withWorker);
            try
            {
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                {
                    BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                    Timeout = TimeSpan.FromSeconds(30),
                };
                await WaitReadyAsync(http, app);
                await CreateClientAsync(http);
                await LoadAsync(http, 100, 3, "warmup"); // JIT, pools, prepared statements; not recorded
                var result = await LoadAsync(http, rate, seconds, $"r{rate}");
                await using var probe = new NpgsqlConnection(cs);
                var stored = await probe.ExecuteScalarAsync<long>("select count(*) from messages m join inbound_webhooks w on w.call_id = m.call_id where w.event_id like 'r%'");
                // Answered at the commit, the jobs follow from the dispatcher: how far behind it was when the load ended.
                var jobless = await probe.ExecuteScalarAsync<long>("select count(*) from messages where status = 'scheduled' and job_id is null");
                var line = FormattableString.Invariant(
                    $"{label,-8} load {File.ReadAllText("/proc/loadavg").Split(' ')[0],6}  offered {rate,5}/s  accepted {result.Achieved,7:F1}/s  p50 {result.P50,7:F1} ms  p99 {result.P99,7:F1} ms  max {result.Max,7:F1} ms  shed (503) {result.Shed}  errors {result.Errors}  messages {stored}  without a job yet {jobless}");
                Console.WriteLine(line);
                rows.Add(line);
            }
            finally
            {
                app.Kill(entireProcessTree: true);
                await app.WaitForExitAsync();
            }
        }

        Console.WriteLine();
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private sealed record LoadResult(double Achieved, double P50, double P99, double Max, int Shed, int Errors);

    private static async Task<LoadResult> LoadAsync(HttpClient http, int rate, int seconds, string prefix)
    {
        var total = rate * seconds;
        var latencies = new double[total];
        var ok = new bool[total];
        var shed = new bool[total];
        var tasks = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        var starts = "\"" + OffsetDateTimePattern.ExtendedIso.Format(
            SystemClock.Instance.GetCurrentInstant().Plus(Duration.FromDays(3)).WithOffset(Offset.FromHours(-5))) + "\"";
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var n = i;
            tasks.Add(Task.Run(async () =>
            {
                var body = Encoding.UTF8.GetBytes(
                    $$"""{"event_id":"{{prefix}}_{{n}}","event":"call_ended","client_id":"bench","call_id":"{{prefix}}_{{n}}","occurred_at":"2026-11-30T12:00:00Z","outcome":"booked","customer":{"name":"Ana Diaz","phone":"+1212{{2_000_000 + n % 8_000_000}}","email":"ana{{n}}@example.com"},"appointment":{"id":"apt_{{prefix}}_{{n}}","starts_at":{{starts}},"service":"Cleaning"} }""");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/calls") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                request.Headers.Add(CallSignature.Header, CallSignature.Compute(Secret, SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds(), body));
                try
                {
                    using var response = await http.SendAsync(request);
                    ok[n] = response.StatusCode == HttpStatusCode.Accepted;
                    shed[n] = response.StatusCode == HttpStatusCode.ServiceUnavailable;
                }
                catch (HttpRequestException)
                {
                    ok[n] = false;
                }
                catch (TaskCanceledException)
                {
                    ok[n] = false;
                }

                latencies[n] = ok[n] ? (clock.Elapsed - due).TotalMilliseconds : double.NaN;
            }));
        }

        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        // Latency of the accepted (202) webhooks; shed (503, retried later by the platform) and failed ones are counted apart.
        var sorted = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        if (sorted.Length == 0)
        {
            sorted = [double.NaN];
        }

        return new LoadResult(ok.Count(x => x) / elapsed, sorted[(int)(sorted.Length * 0.50)], sorted[(int)(sorted.Length * 0.99)],
            sorted[^1], shed.Count(x => x), total - ok.Count(x => x) - shed.Count(x => x));
    }

    private static async Task CreateClientAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/clients/bench")
        {
            Content = new StringContent($$"""
                { "name": "Bench Dental", "time_zone": "America/New_York", "webhook_secret": "{{Secret}}",
                  "business_hours": { "mon": ["00:00", "24:00"], "tue": ["00:00", "24:00"], "wed": ["00:00", "24:00"], "thu": ["00:00", "24:00"],
                                      "fri": ["00:00", "24:00"], "sat": ["00:00", "24:00"], "sun": ["00:00", "24:00"] },
                  "daily_limit_per_recipient": 100 }
                """, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static async Task WaitReadyAsync(HttpClient http, Process app)
    {
        for (var i = 0; i < 240; i++)
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {app.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The app did not become ready in 60 s.");
    }

    private static Process StartApp(string webDll, string cs, int port, bool withWorker)
    {
        var info = new ProcessStartInfo("dotnet", [webDll])
        {
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ConnectionStrings__FollowUp"] = cs;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["FollowUp__Api__Keys__0"] = ApiKey;
        info.Environment["FollowUp__Engine__RunServer"] = withWorker ? "true" : "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("app: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string FindWebDll()
    {

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "FollowUp.Web", "bin", "Release", "net10.0", "FollowUp.Web.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("FollowUp.Web.dll (Release) not found; bench/run.sh builds it.");
    }
}
