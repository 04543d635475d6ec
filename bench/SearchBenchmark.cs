using FollowUp.Jobs;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Storage;
using FollowUp.Web.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FollowUp.Bench;

/// <summary>
/// <c>bench -- search [messages] [runs]</c>: seeds <c>messages</c> (1,000,000 by default) and a call per five
/// of them in PostgreSQL with generate_series (the trigram indexes built after the rows, as a restore
/// would), starts FollowUp.Web as its own process (no Hangfire server), and times <c>GET /api/messages</c>
/// over HTTP: q matching a body, a recipient, a customer's name, a common name and its second page,
/// filters alone and with q, a keyset page 2. Per query: the median and the slowest of <c>runs</c>
/// requests after one warm-up, and the plan's indexes from EXPLAIN ANALYZE of the statement the endpoint
/// runs (<see cref="MessageSearch.Build"/> over <see cref="MessageListQuery.Parse"/>). Then the three
/// trigram indexes are dropped, the statistics analysed again, and the same queries measured, so the
/// ratio shows what the indexes buy.
/// </summary>
internal static class SearchBenchmark
{
    private const string ApiKey = "bench-api-key-0123456789";

    private static readonly string[] TrigramIndexes = ["messages_body_trgm", "messages_recipient_trgm", "calls_customer_name_trgm"];

    public static async Task<int> RunAsync(string[] args)
    {
        var adminCs = Environment.GetEnvironmentVariable("FOLLOWUP_BENCH_PG")
            ?? throw new InvalidOperationException("FOLLOWUP_BENCH_PG (an admin connection string) is required; bench/run.sh sets it.");
        var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 11;
        var calls = messages / 5;
        var webDll = Path.GetFullPath("FollowUp.Web/bin/Release/net10.0/FollowUp.Web.dll");
        if (!File.Exists(webDll))
        {
            throw new InvalidOperationException($"{webDll} is missing: build FollowUp.Web in Release first (bench/run.sh does).");
        }

        var cs = await BenchDatabase.CreateAsync(adminCs, "bench_search", 20);
        await using var dataSource = new NpgsqlDataSourceBuilder(cs).UseNodaTime().Build();
        DapperConfiguration.Apply();
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
        await SeedAsync(dataSource, messages, calls);

        // What the queries look for, from the seed's own formulas: one message's body, one address, one
        // customer's name (five messages), a common last name (a fiftieth of the calls).
        var body = Md5(messages / 2)[..10];
        var addressCall = calls / 2 + 7;
        var address = $"user{addressCall}@";
        var name = Md5("name" + (calls / 3))[..8];
        var queries = new (string Name, string Query)[]
        {
            ("q in a body (1 match)", $"q={body}"),
            ("q in a recipient (2-3 matches)", $"q={Uri.EscapeDataString(address)}"),
            ("q in a customer's name (5 matches)", $"q={name}"),
            ("q a common name, page 1 (2% of messages)", "q=Okafor"),
            ("q a common name, keyset page 2", "q=Okafor&before={next}"),
            ("q with filters (client, channel)", $"client_id=client-{addressCall % 20 + 1}&channel=email&q={Uri.EscapeDataString(address)}"),
            ("filters only (status, kind, channel)", "status=delivered&kind=nurture_day1&channel=email"),
            ("filter status=sent, keyset page 2", "status=sent&before={next}"),
        };

        var port = WebProcess.FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        using var web = WebProcess.Start(webDll, cs, baseUrl,
            new Dictionary<string, string> { ["FollowUp__Api__Keys__0"] = ApiKey, ["FollowUp__Engine__RunServer"] = "false" });
        try
        {
            using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
            await WebProcess.WaitReadyAsync(http);

            var indexed = await MeasureAsync("with the trigram indexes", http, dataSource, queries, runs);
            await using (var connection = await dataSource.OpenConnectionAsync())
            {
                foreach (var index in TrigramIndexes)
                {
                    await connection.ExecuteAsync($"drop index {index}");
                }

                await connection.ExecuteAsync(new CommandDefinition("analyze messages; analyze calls", commandTimeout: 600));
            }

            var unindexed = await MeasureAsync("without them (dropped, analysed)", http, dataSource, queries, runs);
            Console.WriteLine();
            Console.WriteLine("| query | median with | median without | ratio |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            for (var i = 0; i < queries.Length; i++)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"| {queries[i].Name} | {indexed[i]:F1} ms | {unindexed[i]:F1} ms | {unindexed[i] / indexed[i]:F1}× |"));
            }
        }
        finally
        {
            web.Kill(entireProcessTree: true);
            await web.WaitForExitAsync();
        }

        return 0;
    }

    private static async Task SeedAsync(NpgsqlDataSource dataSource, int messages, int calls)
    {
        var seeding = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync();
        // The trigram indexes are built once over the rows, not row by row while they arrive.
        foreach (var index in TrigramIndexes)
        {
            await connection.ExecuteAsync($"drop index {index}");
        }

        string[] statements =
        [
            """
            insert into clients (id, name, time_zone, business_hours, webhook_secret, created_at, updated_at)
            select 'client-' || i, 'Client ' || i, 'America/New_York', '{"mon": ["09:00", "17:00"]}', 'whsec_0123456789abcdef', now(), now()
            from generate_series(1, 20) i
            """,
            """
            insert into inbound_webhooks (source, client_id, event_id, raw_body, status, received_at)
            values ('followup', 'client-1', 'evt_seed', '{}', 'processed', now())
            """,
            // Customer names: one of 20 first names, one of 50 last names, and a token of the call's own.
            """
            insert into calls (client_id, call_id, outcome, occurred_at, customer_name, customer_phone, webhook_id, created_at, updated_at)
            select 'client-' || (i % 20 + 1), 'call_' || i, 'booked', now() - i * interval '6 seconds',
                   (array['Ana','Ben','Chloe','Dev','Elif','Femi','Grace','Hiro','Ines','Jon','Kai','Lena','Mateo','Nia','Omar','Priya',
                          'Quinn','Rosa','Sam','Tariq'])[i % 20 + 1] || ' ' ||
                   (array['Diaz','Smith','Okafor','Nguyen','Kowalski','Rossi','Haddad','Silva','Tanaka','Murphy','Schmidt','Dubois',
                          'Costa','Ivanova','Kim','Patel','Jensen','Moreau','Novak','Garcia','Lopez','Bauer','Santos','Yilmaz','Ali',
                          'Cohen','Berg','Larsen','Fischer','Rahman','Khan','Wong','Chen','Reyes','Torres','Flores','Cruz','Morales',
                          'Ortiz','Ramos','Ruiz','Vargas','Castro','Romero','Herrera','Medina','Aguilar','Vega','Mendoza','Guzman'])[(i / 20) % 50 + 1]
                   || ' ' || left(md5('name' || i), 8),
                   '+1212' || (2000000 + i)::text, (select id from inbound_webhooks), now(), now()
            from generate_series(1, @calls) i
            """,
            // Five messages per call, half SMS and half email, in the statuses and kinds of a busy install.
            """
            insert into messages (client_id, call_id, kind, channel, marketing, recipient, customer_phone, subject, body, scheduled_for,
                                  status, created_at, updated_at)
            select 'client-' || (c % 20 + 1), 'call_' || c,
                   (array['confirmation', 'reminder_24h', 'reminder_1h', 'nurture_day1', 'adhoc'])[i % 5 + 1],
                   case when i % 2 = 0 then 'sms' else 'email' end, i % 5 = 3,
                   case when i % 2 = 0 then '+1212' || (2000000 + c)::text else 'user' || c || '@example.com' end,
                   '+1212' || (2000000 + c)::text,
                   case when i % 2 = 1 then 'Your appointment' end,
                   'Hi, see you on the ' || (i % 28 + 1) || 'th at 10:00. Reply STOP to opt out. Ref ' || md5(i::text),
                   now() - (@messages - i) * interval '1 second',
                   case when i % 100 < 5 then 'scheduled' when i % 3 = 0 then 'delivered' else 'sent' end,
                   now() - (@messages - i) * interval '1 second', now()
            from generate_series(1, @messages) i cross join lateral (select (i - 1) / 5 + 1 as c) x
            """,
            "create index messages_body_trgm on messages using gin (body gin_trgm_ops)",
            "create index messages_recipient_trgm on messages using gin (recipient gin_trgm_ops)",
            "create index calls_customer_name_trgm on calls using gin (customer_name gin_trgm_ops)",
            "analyze messages; analyze calls",
        ];
        foreach (var statement in statements)
        {
            await connection.ExecuteAsync(new CommandDefinition(statement, new { calls, messages }, commandTimeout: 3600));
        }

        Console.WriteLine(FormattableString.Invariant(
            $"seeded {await connection.ExecuteScalarAsync<long>("select count(*) from messages"):N0} messages and {await connection.ExecuteScalarAsync<long>("select count(*) from calls"):N0} calls, trigram indexes built, in {seeding.Elapsed.TotalSeconds:F0} s"));
    }

    private static async Task<double[]> MeasureAsync(string phase, HttpClient http, NpgsqlDataSource dataSource,
        (string Name, string Query)[] queries, int runs)
    {
        Console.WriteLine();
        Console.WriteLine($"## {phase}: {runs} requests per query after one warm-up, load average {LoadAverage()}");
        var medians = new double[queries.Length];
        string? next = null;
        for (var q = 0; q < queries.Length; q++)
        {
            // A page 2 continues from the page 1 of the query before it (the same query's next_before).
            var query = queries[q].Query.Replace("{next}", next, StringComparison.Ordinal);
            var times = new List<double>();
            JsonElement page = default;
            for (var i = 0; i <= runs; i++)
            {
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri("/api/messages?" + query, UriKind.Relative));
                var text = await response.Content.ReadAsStringAsync();
                watch.Stop();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"GET /api/messages?{query}: {(int)response.StatusCode} {text}");
                }

                page = JsonDocument.Parse(text).RootElement.Clone();
                if (i > 0)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            times.Sort();
            medians[q] = times[times.Count / 2];
            var count = page.GetProperty("messages").GetArrayLength();
            // next_before is left out on a last page.
            next = page.TryGetProperty("next_before", out var n) && n.ValueKind == JsonValueKind.Number
                ? n.GetInt64().ToString(CultureInfo.InvariantCulture)
                : null;
            var (plan, executionMs) = await ExplainAsync(dataSource, query);
            Console.WriteLine(FormattableString.Invariant(
                $"{queries[q].Name,-44} median {medians[q],8:F1} ms  slowest {times[^1],8:F1} ms  {count,3} rows  | EXPLAIN ANALYZE {executionMs,8:F1} ms: {plan}"));
            Console.WriteLine($"    GET /api/messages?{query}");
        }

        return medians;
    }

    /// <summary>The plan of the endpoint's statement for <paramref name="query"/>: the indexes it reads, and the tables it scans whole.</summary>
    private static async Task<(string Plan, double ExecutionMs)> ExplainAsync(NpgsqlDataSource dataSource, string query)
    {
        var (filter, limit, errors) = MessageListQuery.Parse(new QueryCollection(QueryHelpers.ParseQuery(query)));
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"{query}: {string.Join("; ", errors.Select(e => e.ErrorMessage))}");
        }

        var (sql, args) = MessageSearch.Build(filter, limit);
        await using var connection = await dataSource.OpenConnectionAsync();
        var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition("explain (analyze, format json) " + sql, args, commandTimeout: 600));
        var root = JsonDocument.Parse(json!).RootElement[0];
        var nodes = Nodes(root.GetProperty("Plan")).ToList();
        var indexes = nodes.Where(n => n.TryGetProperty("Index Name", out _)).Select(n => n.GetProperty("Index Name").GetString()).Distinct();
        var scans = nodes.Where(n => n.GetProperty("Node Type").GetString() == "Seq Scan").Select(n => n.GetProperty("Relation Name").GetString()).Distinct();
        var plan = $"indexes [{string.Join(", ", indexes)}]" + (scans.Any() ? $", seq scan [{string.Join(", ", scans)}]" : "");
        return (plan, root.GetProperty("Execution Time").GetDouble());
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }

    // PostgreSQL's md5(), recomputed to know what the seed wrote: a fingerprint, not security.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "Matches the seed's md5(); nothing is protected by it.")]
    private static string Md5(object value) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture)!)));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

}
