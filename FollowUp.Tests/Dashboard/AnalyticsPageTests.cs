using System.Net;
using FollowUp.Tests.Support;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// <c>/dashboard/analytics</c> in a real browser: a viewer sees the rates for the period and client chosen in the
/// form, a bad date is refused naming the field, the CSV downloads with the same table (quoted, formulas defused),
/// what the messages hold is shown encoded, and an anonymous visitor is sent to sign in.
/// </summary>
public sealed class AnalyticsPageTests : BrowserTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["FollowUp:Engine:StateCountSeconds"] = "1";

    // As the sender and the delivery callbacks leave them (the rollup triggers see these inserts as they see any).
    // acme-dental on 2026-11-20: 2 delivered, 1 undelivered (a provider's error text with markup), 1 failed — and one
    // message of a kind that looks like a spreadsheet formula; on 2026-11-25: 1 delivered. beta-dental on 2026-11-20: 1 undelivered.
    private async Task SeedAsync()
    {
        await TestClients.CreateAsync(Host.Services, "beta-dental");
        await Db.ExecuteAsync("""
            insert into messages (client_id, kind, channel, marketing, recipient, body, scheduled_for, status, provider, segments, cost, currency,
                                  error, sent_at, created_at, updated_at)
            select c, k, 'sms', false, '+12125550150', 'x', t::timestamptz, s, 'twilio', 1, 0.0083, 'USD', e, t::timestamptz + interval '3 seconds',
                   t::timestamptz, t::timestamptz
            from (values ('acme-dental', 'reminder_24h', 'delivered', '2026-11-20T10:00:00Z', null),
                         ('acme-dental', 'reminder_24h', 'delivered', '2026-11-20T11:00:00Z', null),
                         ('acme-dental', 'reminder_24h', 'undelivered', '2026-11-20T12:00:00Z', '<script>alert(1)</script> 30003'),
                         ('acme-dental', '=HYPERLINK("http://x")', 'failed', '2026-11-20T13:00:00Z', 'Twilio error 30007'),
                         ('acme-dental', 'reminder_24h', 'delivered', '2026-11-25T10:00:00Z', null),
                         ('beta-dental', 'reminder_24h', 'undelivered', '2026-11-20T10:00:00Z', 'Twilio error 30005')) v (c, k, s, t, e)
            """);
    }

    [Test]
    public async Task TheRecurringFold_TakesTheTriggersChanges_IntoTheRollups()
    {
        await SeedAsync();

        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from message_daily_changes"), n => n == 0,
            what: "the analytics-rollups job to fold the changes");

        Assert.That(await Db.ScalarAsync<long>("select coalesce(sum(messages), 0) from message_daily where status in ('delivered', 'undelivered', 'failed')"),
            Is.EqualTo(6), "the six seeded messages, folded");
    }

    [Test]
    public async Task Anonymous_IsSentToSignIn_PageAndCsv()
    {
        await Page.GotoAsync(Host.Url("/dashboard/analytics"));
        Assert.That(Page.Url, Does.Contain("/dashboard/login"));
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var csv = await client.GetAsync(new Uri(Host.Url("/dashboard/analytics.csv")));
        Assert.That(csv.StatusCode, Is.EqualTo(HttpStatusCode.Redirect).Or.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(csv.Headers.Location?.ToString() ?? "", Does.Contain("/dashboard/login"));
    }

    [Test]
    public async Task Viewer_ChoosesPeriodAndClient_SeesTheRates_DownloadsTheSameTableAsCsv()
    {
        await SeedAsync();
        await Host.AddUserAsync("vera", "viewer-password-1", "viewer");
        await SignInAsync("vera", "viewer-password-1");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Analytics" }).ClickAsync();
        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("Analytics");

        await Page.GetByLabel("From").FillAsync("2026-11-20");
        await Page.GetByLabel("to", new() { Exact = true }).FillAsync("2026-11-20");
        await Page.GetByLabel("Client").SelectOptionAsync("acme-dental");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        // 2 delivered of 4 with a final status; 1 undelivered, 1 failed.
        await Assertions.Expect(Page.Locator("[data-period]")).ToContainTextAsync("2026-11-20 to 2026-11-20 (UTC days), client acme-dental.");
        await Assertions.Expect(Page.Locator("[data-rate=delivery]")).ToHaveTextAsync("50.0 %");
        await Assertions.Expect(Page.Locator("[data-rate=undelivered]")).ToHaveTextAsync("25.0 %");
        await Assertions.Expect(Page.Locator("[data-rate=failed]")).ToHaveTextAsync("25.0 %");
        await Assertions.Expect(Page.Locator("[data-errors] tbody tr")).ToHaveTextAsync(["undelivered<script>alert(1)</script> 300031", "failedTwilio error 300071"]);
        await Assertions.Expect(Page.Locator("[data-lateness] tr[data-kind=reminder_24h] td").Nth(3)).ToHaveTextAsync("≤ 5 s");
        await Assertions.Expect(Page.Locator("svg.chart g")).ToHaveCountAsync(1);
        Assert.That(await Page.Locator("script:not([src])").CountAsync(), Is.Zero, "the provider's error text is shown, not run");
        await ScreenshotAsync("analytics");

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.Locator("[data-csv]").ClickAsync());
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "analytics.csv");
        await download.SaveAsAsync(path);
        var csv = await File.ReadAllTextAsync(path);

        Assert.Multiple(() =>
        {
            Assert.That(download.SuggestedFilename, Is.EqualTo("followup-analytics-2026-11-20-2026-11-20.csv"));
            Assert.That(csv.Split("\r\n"), Is.EqualTo(new[]
            {
                "day,client_id,kind,channel,provider,sent,delivered,undelivered,failed,dead_lettered,segments,cost,currency",
                "2026-11-20,acme-dental,\"'=HYPERLINK(\"\"http://x\"\")\",sms,twilio,1,0,0,1,0,1,0.00830,USD",
                "2026-11-20,acme-dental,reminder_24h,sms,twilio,3,2,1,0,0,3,0.02490,USD",
                "",
            }));
        });
    }

    [Test]
    public async Task BadPeriodOrClient_422NamingTheField_NothingShown()
    {
        await SignInAsync();

        var badDate = await Page.GotoAsync(Host.Url("/dashboard/analytics?from=2026-13-01"));
        await Assertions.Expect(Page.Locator("[data-filter-errors]")).ToHaveTextAsync("from must be a date as yyyy-mm-dd, such as 2026-12-01");
        Assert.That(await Page.Locator("[data-rates]").CountAsync(), Is.Zero);
        var backwards = await Page.GotoAsync(Host.Url("/dashboard/analytics?from=2026-11-21&to=2026-11-20"));
        await Assertions.Expect(Page.Locator("[data-filter-errors]")).ToHaveTextAsync("to must not be before from");
        var tooLong = await Page.GotoAsync(Host.Url("/dashboard/analytics?from=2025-01-01&to=2026-11-20"));
        await Assertions.Expect(Page.Locator("[data-filter-errors]")).ToHaveTextAsync("to must be less than 366 days after from");
        var unknown = await Page.GotoAsync(Host.Url("/dashboard/analytics?client_id=%3Cb%3Enobody"));
        await Assertions.Expect(Page.Locator("[data-filter-errors]")).ToHaveTextAsync("client_id is not a client");
        var csv = await Page.APIRequest.GetAsync(Host.Url("/dashboard/analytics.csv?to=yesterday"));

        Assert.Multiple(async () =>
        {
            Assert.That(new[] { badDate!.Status, backwards!.Status, tooLong!.Status, unknown!.Status }, Has.All.EqualTo(422));
            Assert.That(csv.Status, Is.EqualTo(422));
            Assert.That(await csv.TextAsync(), Does.Contain("\"to\":[\"must be a date as yyyy-mm-dd, such as 2026-12-01\"]"));
        });
    }
}
