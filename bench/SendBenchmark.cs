using System.Diagnostics;
using System.Globalization;
using Dapper;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Templates;
using FollowUp.Jobs;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- send</c>: messages/s through the whole pipeline (send job, checks, checkpoints,
/// provider library): SMS through the Twilio library to a local fake Twilio answering in 20 ms, at
/// worker concurrency 10 and 100; email through MailKit (STARTTLS) to a local SMTP sink, at worker
/// concurrency 10, with connection reuse (pool of 4) and without (a connection per message).
/// Provider rate limits off. Messages are planned first (not timed), then a worker drains them.
/// </summary>
internal static class SendBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        await using var twilio = await FakeTwilioServer.StartAsync();
        twilio.Otherwise = FakeTwilioReply.Slow(TimeSpan.FromMilliseconds(20));
        var results = new Dictionary<int, List<double>>();
        foreach (var (concurrency, count) in new[] { (10, 3_000), (100, 20_000) })
        {
            results[concurrency] = [];
            for (var run = 1; run <= repeats; run++)
            {
                var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_send_{concurrency}_{run}", 150);
                var rate = await MeasureAsync(cs, twilio.BaseUrl.ToString(), concurrency, count);
                results[concurrency].Add(rate);
                Console.WriteLine(FormattableString.Invariant($"  concurrency {concurrency,3}, run {run}: {rate,8:F1} messages/s ({count} messages)"));
            }
        }

        await using var smtp = SmtpTestServer.Start();
        var email = new Dictionary<int, List<double>>();
        foreach (var poolSize in new[] { 4, 0 })
        {
            email[poolSize] = [];
            for (var run = 1; run <= repeats; run++)
            {
                var cs = await BenchDatabase.CreateAsync(adminCs, $"bench_email_{poolSize}_{run}", 150);
                var before = smtp.Connections;
                var rate = await MeasureEmailAsync(cs, smtp, poolSize, 2_000);
                email[poolSize].Add(rate);
                Console.WriteLine(FormattableString.Invariant(
                    $"  email pool {poolSize}, run {run}: {rate,8:F1} messages/s (2000 messages, {smtp.Connections - before} SMTP connections)"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"medians of {repeats} runs (fake Twilio answering in 20 ms; {twilio.Requests.Count} requests received; SMTP sink: {smtp.Received.Count} messages)");
        foreach (var (concurrency, rates) in results)
        {
            Console.WriteLine(FormattableString.Invariant($"send_sms_concurrency_{concurrency}_messages_per_s {Median(rates),10:F1}"));
        }

        foreach (var (poolSize, rates) in email)
        {
            Console.WriteLine(FormattableString.Invariant($"send_email_smtp_{(poolSize > 0 ? "reuse" : "no_reuse")}_messages_per_s {Median(rates),10:F1}"));
        }

        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<double> MeasureEmailAsync(string cs, SmtpTestServer smtp, int poolSize, int count)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:FollowUp"] = cs,
            ["FollowUp:Engine:WorkerCount"] = "10",
            ["FollowUp:Smtp:Host"] = "127.0.0.1",
            ["FollowUp:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["FollowUp:Smtp:Security"] = "StartTls",
            ["FollowUp:Smtp:From"] = "Bench <bench@followup.example>",
            ["FollowUp:Smtp:PoolSize"] = poolSize.ToString(CultureInfo.InvariantCulture),
        };
        // The sink's certificate is self-signed: trusted here by thumbprint, as the tests do.
        void Trust(IServiceCollection services) => services.AddSingleton(new FollowUp.Jobs.Channels.Email.SmtpServerCertificates
        {
            Validate = TestCertificate.Trust,
        });

        using (var planner = await StartAsync(settings, runWorker: false, Trust))
        {
            await planner.Services.GetRequiredService<ClientStore>().UpsertAsync("bench", new ClientSettings
            {
                Name = "Bench", TimeZone = "UTC", WebhookSecret = "whsec_bench_0123456789", EmailEnabled = true,
                BusinessHours = new Dictionary<string, IReadOnlyList<string>> { ["mon"] = ["00:00", "24:00"] },
            }, CancellationToken.None);
            var messages = planner.Services.GetRequiredService<IMessageClient>();
            var dataSource = planner.Services.GetRequiredService<NpgsqlDataSource>();
            var now = SystemClock.Instance.GetCurrentInstant();
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            for (var i = 0; i < count; i++)
            {
                await messages.PlanAsync(new NewMessage("bench", MessageKind.Confirmation, Channel.Email,
                    $"customer{i}@example.com", "Your appointment", "Your appointment is confirmed.", now), tx);
            }

            await tx.CommitAsync();
            await planner.StopAsync();
        }

        var stopwatch = Stopwatch.StartNew();
        using var worker = await StartAsync(settings, runWorker: true, Trust);
        await using var probe = new NpgsqlConnection(cs);
        await probe.OpenAsync();
        while (await probe.ExecuteScalarAsync<long>("select count(*) from messages where status <> 'sent'") > 0)
        {
            await Task.Delay(50);
        }

        var rate = count / stopwatch.Elapsed.TotalSeconds;
        var notSmtp = await probe.ExecuteScalarAsync<long>("select count(*) from messages where provider <> 'smtp'");
        if (notSmtp > 0)
        {
            throw new InvalidOperationException($"{notSmtp} messages did not go through MailKit; is SMTP wired?");
        }

        await worker.StopAsync();
        return rate;
    }

    private static async Task<double> MeasureAsync(string cs, string twilioBaseUrl, int concurrency, int count)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:FollowUp"] = cs,
            ["FollowUp:Engine:WorkerCount"] = concurrency.ToString(CultureInfo.InvariantCulture),
            ["FollowUp:Twilio:AccountSid"] = "AC00000000000000000000000000000000",
            ["FollowUp:Twilio:AuthToken"] = "bench-token",
            ["FollowUp:Twilio:From"] = "+12125550100",
            ["FollowUp:Twilio:BaseUrl"] = twilioBaseUrl,
            ["FollowUp:Twilio:RateLimitPerSecond"] = "0",
        };

        using (var planner = await StartAsync(settings, runWorker: false))
        {
            await planner.Services.GetRequiredService<ClientStore>().UpsertAsync("bench", new ClientSettings
            {
                Name = "Bench", TimeZone = "UTC", WebhookSecret = "whsec_bench_0123456789",
                BusinessHours = new Dictionary<string, IReadOnlyList<string>> { ["mon"] = ["00:00", "24:00"] },
            }, CancellationToken.None);
            var messages = planner.Services.GetRequiredService<IMessageClient>();
            var dataSource = planner.Services.GetRequiredService<NpgsqlDataSource>();
            var now = SystemClock.Instance.GetCurrentInstant();
            for (var planned = 0; planned < count; planned += 1_000)
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var tx = await connection.BeginTransactionAsync();
                for (var i = planned; i < Math.Min(count, planned + 1_000); i++)
                {
                    await messages.PlanAsync(new NewMessage("bench", MessageKind.Confirmation, Channel.Sms,
                        $"+1212{2_000_000 + i % 8_000_000}", null, "Your appointment is confirmed.", now), tx);
                }

                await tx.CommitAsync();
            }

            await planner.StopAsync();
        }

        var stopwatch = Stopwatch.StartNew();
        using var worker = await StartAsync(settings, runWorker: true);
        await using var probe = new NpgsqlConnection(cs);
        await probe.OpenAsync();
        while (await probe.ExecuteScalarAsync<long>("select count(*) from messages where status <> 'sent'") > 0)
        {
            await Task.Delay(50);
        }

        var rate = count / stopwatch.Elapsed.TotalSeconds;
        var notTwilio = await probe.ExecuteScalarAsync<long>("select count(*) from messages where provider <> 'twilio'");
        if (notTwilio > 0)
        {
            throw new InvalidOperationException($"{notTwilio} messages did not go through the Twilio adapter; is it wired?");
        }

        await worker.StopAsync();
        return rate;
    }

    private static async Task<IHost> StartAsync(Dictionary<string, string?> settings, bool runWorker, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["FollowUp:Engine:RunServer"] = runWorker ? "true" : "false" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddFollowUpJobs(builder.Configuration);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
