using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using FollowUp.Tests.Support;
using OpenTelemetry.Trace;
using YamlDotNet.RepresentationModel;

namespace FollowUp.Tests.Web;

/// <summary>
/// OpenTelemetry as an operator sees it: the Prometheus scrape after a send (counters moved, the lateness
/// histogram has the sample, behind the API key), and one trace from a call webhook to the provider's
/// HTTP call across the job boundary (an in-memory exporter). The app in process, Twilio faked at its wire.
/// </summary>
public sealed class TelemetryTests : ApiTest
{
    private FakeTwilioServer _twilio = null!;

    protected override bool StartsApiInSetUp => false;

    [SetUp]
    public async Task SetUp() => _twilio = await FakeTwilioServer.StartAsync();

    [TearDown]
    public async Task TearDown() => await _twilio.DisposeAsync();

    private static double? Sample(string scrape, string name, params string[] labels) =>
        scrape.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains(label, StringComparison.Ordinal)))
            .Select(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .Cast<double?>()
            .Sum();

    [Test]
    public async Task Prometheus_AfterASend_CountersMoved_LatenessHasTheSample_OnlyWithTheApiKey()
    {
        var settings = TwilioTestAccount.Settings(_twilio);
        settings["FollowUp:Telemetry:Prometheus:Enabled"] = "true";
        await StartApiAsync(settings);

        var id = await Api.PostSmsAsync("+12125550123", "Your appointment is confirmed.");
        await Api.WaitForStatusAsync(id, "sent");
        using var anonymous = Api.Factory.CreateClient();
        var refused = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        var scrape = await Eventually.WaitForAsync(() => Api.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)),
            s => Sample(s, "followup_send_lateness_seconds_count") >= 1, what: "the lateness sample in the scrape");

        TestContext.Out.WriteLine(string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("followup_", StringComparison.Ordinal))));
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "never open by accident");
            Assert.That(Sample(scrape, "followup_messages_total", "followup_status=\"sent\"", "followup_channel=\"sms\"", "followup_provider=\"twilio\""),
                Is.EqualTo(1), "one message reached sent");
            Assert.That(Sample(scrape, "followup_messages_total", "followup_status=\"sending\""), Is.EqualTo(1));
            Assert.That(Sample(scrape, "followup_messages_planned_total", "followup_client_id=\"acme-dental\""), Is.EqualTo(1));
            Assert.That(Sample(scrape, "followup_send_lateness_seconds_count", "followup_kind=\"adhoc\""), Is.EqualTo(1));
            Assert.That(Sample(scrape, "followup_provider_duration_seconds_count", "followup_provider=\"twilio\"", "followup_outcome=\"ok\""), Is.EqualTo(1));
            Assert.That(Sample(scrape, "followup_hangfire_servers"), Is.GreaterThanOrEqualTo(1));
            Assert.That(scrape, Does.Not.Contain("+12125550123"), "no phone number in any attribute");
        });
    }

    [Test]
    public async Task OneTrace_FromTheCallWebhook_ThroughTheJob_ToTwiliosHttpCall()
    {
        var exported = new List<Activity>();
        var settings = TwilioTestAccount.Settings(_twilio);
        settings["FollowUp:Telemetry:Enabled"] = "true";
        await StartApiAsync(settings, s => s.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(exported)));

        var response = await Api.Client.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        await Eventually.WaitForAsync(() => Task.FromResult(_twilio.Requests.Count), n => n == 1, what: "the confirmation at Twilio");

        Activity[] Spans() { lock (exported) { return [.. exported]; } }
        Task<Activity> Exported(Func<Activity, bool> match, string what) =>
            Eventually.WaitForAsync(() => Task.FromResult(Spans().FirstOrDefault(match)), a => a is not null, what: what)!;
        // Spans are exported as they end: the provider's span ends after its HTTP call, the attempt after it, the job last.
        var provider = await Exported(a => a.DisplayName == "send twilio", "the provider span");
        var http = await Exported(a => a.ParentSpanId == provider.SpanId && a.Kind == ActivityKind.Client, "the HTTP span under it");
        var attempt = await Exported(a => a.SpanId == provider.ParentSpanId, "the send attempt");
        var job = await Exported(a => a.SpanId == attempt.ParentSpanId, "the job's span");
        var webhook = Spans().Single(a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == "/webhooks/calls");
        var intake = Spans().Single(a => a.DisplayName == "intake followup");
        var trace = Spans().Where(a => a.TraceId == webhook.TraceId).ToList();
        var dispatch = Spans().Where(a => a.DisplayName == "dispatch").ToList();

        TestContext.Out.WriteLine(string.Join('\n', trace.Select(a => $"{a.DisplayName} {a.SpanId} <- {a.ParentSpanId}")));
        Assert.Multiple(() =>
        {
            Assert.That(http.TraceId, Is.EqualTo(webhook.TraceId), "the provider's HTTP call is in the webhook's trace");
            Assert.That(http.GetTagItem("url.full") as string, Does.Contain("/Messages.json"));
            Assert.That(job.DisplayName, Is.EqualTo("job SendMessageJob.SendAsync"));
            Assert.That(job.ParentSpanId, Is.EqualTo(intake.SpanId), "the job continues the intake that planned its message");
            Assert.That(intake.ParentSpanId, Is.EqualTo(webhook.SpanId));
            Assert.That(job.GetTagItem("followup.job.id"), Is.Not.Null);
            Assert.That(attempt.DisplayName, Is.EqualTo("send attempt"));
            Assert.That(attempt.GetTagItem("followup.message.id"), Is.Not.Null);
            Assert.That(dispatch.SelectMany(d => d.Links).Select(l => l.Context.TraceId), Does.Contain(webhook.TraceId),
                "the dispatch batch links to the call's trace");
        });
    }

    [Test]
    public async Task Prometheus_RefusedWebhooks_CountedByRouteAndReason_AcceptedOnesNot()
    {
        var settings = TwilioTestAccount.Settings(_twilio);
        settings["FollowUp:Telemetry:Prometheus:Enabled"] = "true";
        await StartApiAsync(settings);

        var badSignature = CallWebhookTests.Signed(CallWebhookTests.Booked(), secret: "whsec_not-the-clients-secret");
        var invalid = CallWebhookTests.Signed(CallWebhookTests.Booked(eventId: "evt_02", phone: "2125550123"));
        var unknownClient = new HttpRequestMessage(HttpMethod.Post, "/webhooks/retell/no-such-client") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        var answers = new List<HttpStatusCode>();
        foreach (var request in new[] { badSignature, invalid, unknownClient, CallWebhookTests.Signed(CallWebhookTests.Booked(eventId: "evt_03")) })
        {
            answers.Add((await Api.Client.SendAsync(request)).StatusCode);
        }

        var scrape = await Eventually.WaitForAsync(() => Api.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)),
            s => Sample(s, "followup_webhooks_rejected_total") >= 3, what: "the refusals in the scrape");

        TestContext.Out.WriteLine(string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("followup_webhooks", StringComparison.Ordinal))));
        Assert.Multiple(() =>
        {
            Assert.That(answers, Is.EqualTo(new[] { HttpStatusCode.Unauthorized, (HttpStatusCode)422, HttpStatusCode.NotFound, HttpStatusCode.Accepted }));
            Assert.That(Sample(scrape, "followup_webhooks_rejected_total", "followup_reason=\"signature\"", "http_route=\"webhooks/calls\""), Is.EqualTo(1));
            Assert.That(Sample(scrape, "followup_webhooks_rejected_total", "followup_reason=\"validation\"", "http_route=\"webhooks/calls\""), Is.EqualTo(1));
            Assert.That(Sample(scrape, "followup_webhooks_rejected_total", "followup_reason=\"unknown_client\"", "http_route=\"webhooks/retell/{clientId}\""), Is.EqualTo(1));
            Assert.That(Sample(scrape, "followup_webhooks_rejected_total"), Is.EqualTo(3), "the accepted webhook is not a refusal");
            Assert.That(scrape, Does.Not.Contain("no-such-client"), "the route template, never the path");
        });
    }

    [Test]
    public void OpsFiles_AlertRulesAreYaml_GrafanaDashboardIsJson_EveryQueryNamesAMetricWeExport()
    {
        var ops = Path.Combine(RepositoryRoot(), "docs", "ops");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(ops, "alerts.yml")))
        {
            yaml.Load(reader);
        }

        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("groups")];
        var rules = groups.Cast<YamlMappingNode>().SelectMany(g => (YamlSequenceNode)g.Children[new YamlScalarNode("rules")]).Cast<YamlMappingNode>().ToList();
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(ops, "grafana-dashboard.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();

        // Every followup_* series the files query is a metric docs/OPERATIONS.md's table lists (a histogram's
        // _bucket/_count/_sum series are its own).
        var documented = DocumentedMetrics(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "OPERATIONS.md")));
        var expressions = rules.Select(r => ((YamlScalarNode)r.Children[new YamlScalarNode("expr")]).Value!).Concat(queries).ToList();
        var referenced = expressions.SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e, @"\bfollowup_[a-z0-9_]+").Select(m => m.Value))
            .Where(n => !n.StartsWith("followup_client_id", StringComparison.Ordinal) && !IsLabel(n)).Distinct().ToList();
        var unknown = referenced.Where(n => !documented.Contains(n)
            && !(System.Text.RegularExpressions.Regex.Replace(n, "_(bucket|count|sum)$", "") is var stem && stem != n && documented.Contains(stem))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(documented, Has.Count.GreaterThan(10), "the metric table was read");
            Assert.That(referenced, Is.Not.Empty);
            Assert.That(unknown, Is.Empty, "queried but not in docs/OPERATIONS.md's metric table");
            Assert.That(rules, Is.Not.Empty);
            Assert.That(rules.Select(r => ((YamlScalarNode)r.Children[new YamlScalarNode("expr")]).Value), Has.All.Contains("followup_"));
            Assert.That(rules.Select(r => r.Children.ContainsKey(new YamlScalarNode("alert"))), Has.All.True);
            Assert.That(queries, Is.Not.Empty);
            Assert.That(queries, Has.All.Contains("followup_"));
        });
    }

    // Labels are followup_* too (followup_status="sent", by (followup_queue)): a name followed by = or ~, or inside by (…).
    private static bool IsLabel(string name) => name is "followup_status" or "followup_kind" or "followup_channel" or "followup_provider"
        or "followup_reason" or "followup_queue" or "followup_outcome" or "followup_source" or "followup_operation" or "followup_outbox"
        or "followup_notification_type" or "followup_may_have_been_sent";

    /// <summary>The backticked metric names in the first column of docs/OPERATIONS.md's metric table.</summary>
    private static HashSet<string> DocumentedMetrics(string operations) =>
        [.. operations.Split('\n').Where(l => l.StartsWith("| `followup_", StringComparison.Ordinal))
            .SelectMany(l => System.Text.RegularExpressions.Regex.Matches(l.Split('|')[1], "`(followup_[a-z0-9_]+)`").Select(m => m.Groups[1].Value))];

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FollowUp.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("FollowUp.sln not found above the test binaries");
    }
}
