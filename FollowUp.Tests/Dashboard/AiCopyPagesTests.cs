using System.Text.Json;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Contracts;
using FollowUp.Jobs.Storage;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// AI-written follow-ups for operators, in a real browser: the message page says "written by AI" with the template
/// it replaced and what the call said (encoded), an operator sends the template instead (a form post with
/// anti-forgery, audited), and the overview shows model cost beside provider cost per client. The rewrite itself
/// comes from the real job against the fake Anthropic Messages API.
/// </summary>
public sealed class AiCopyPagesTests : BrowserTest
{
    private const string Summary = "Ana asked about her <b>cracked crown</b><script>document.title='owned'</script>";
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private FakeAnthropicServer _model = null!;

    [OneTimeSetUp]
    public async Task StartModel() => _model = await FakeAnthropicServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopModel() => await _model.DisposeAsync();

    protected override void Configure(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["FollowUp:Ai:ApiKey"] = "sk-ant-test-0000000000";
        settings["FollowUp:Ai:BaseUrl"] = _model.BaseUrl.ToString();
    }

    [Test]
    public async Task MessagePage_WrittenByAi_ShowsTheTemplateAndTheCall_OperatorRevertsIt_OverviewShowsModelCost()
    {
        await TestClients.CreateAsync(Host.Services, settings: TestClients.Acme(c => c with
        {
            EmailEnabled = false, AiCopy = new AiCopySettings { Enabled = true, Kinds = ["reminder_24h"] },
        }));
        var starts = SystemClock.Instance.GetCurrentInstant().InZone(NewYork).Date.PlusDays(3).At(new LocalTime(14, 0)).InZoneLeniently(NewYork).ToInstant();
        var rewritten = $"Hi Ana, Acme Dental here: your cleaning is {ClientTemplateValues.ForPeople(starts, NewYork)}. We'll check that crown!";
        _model.Otherwise = FakeAnthropicReply.Message(rewritten, inputTokens: 420, outputTokens: 60);
        var call = new CallEvent
        {
            EventId = "evt_page", Event = "call_ended", ClientId = "acme-dental", CallId = "call_page",
            OccurredAt = InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant()), Outcome = CallOutcome.Booked,
            Customer = new CallCustomer { Name = "Ana Diaz", Phone = "+12125550123" },
            Appointment = new CallAppointment { Id = "apt_page", StartsAt = InstantPattern.ExtendedIso.Format(starts), Service = "Cleaning" },
            Summary = Summary,
        };
        await Host.Services.GetRequiredService<CallIntake>().AcceptAsync(CallSource.FollowUp, call, JsonSerializer.Serialize(call, FollowUpJson.Options),
            null, CancellationToken.None);
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select written_by from messages where kind = 'reminder_24h' and channel = 'sms'"),
            w => w == "ai", what: "the reminder rewritten by the personalise job");
        var (id, template) = (await Db.QueryAsync<(long, string)>("select id, template_body from messages where kind = 'reminder_24h' and channel = 'sms'")).Single();
        await SignInAsync();

        await Page.GotoAsync(Host.Url($"/dashboard/messages/{id}"));
        await Assertions.Expect(Page.Locator("[data-written-by=ai]")).ToContainTextAsync("Written by AI");
        await ScreenshotAsync("message-written-by-ai");
        var body = await Page.Locator("[data-message-body]").InnerTextAsync();
        var shownTemplate = await Page.Locator("[data-template-body]").InnerTextAsync();
        var shownSummary = await Page.Locator("[data-call-summary]").InnerTextAsync();
        var injected = await Page.Locator("[data-call-summary] script, [data-call-summary] b").CountAsync();
        var title = await Page.TitleAsync();

        // The customer's conversation marks the same message, linking to the page with its template.
        await Page.GotoAsync(Host.Url("/dashboard/conversations/thread?client=acme-dental&phone=%2B12125550123"));
        var threadMark = Page.Locator($"li[data-id='{id}'][data-direction=outbound] [data-written-by-ai]");
        await Assertions.Expect(threadMark).ToHaveAttributeAsync("href", $"/dashboard/messages/{id}");
        var marksInThread = await Page.Locator("[data-written-by-ai]").CountAsync();
        await Page.GotoAsync(Host.Url($"/dashboard/messages/{id}"));

        await Page.Locator("[data-revert]").ClickAsync();
        await Assertions.Expect(Page.Locator("[data-message-body]")).ToHaveTextAsync(template);
        var after = await Db.QueryAsync<(string WrittenBy, string Body, string? Reason)>(
            "select written_by, body, ai_kept_reason from messages where id = @id", new { id });
        var audited = await Db.ScalarAsync<long>("select count(*) from audit_log where action = 'message.revert_to_template' and actor = 'admin'");

        await Page.Locator("[data-ask-again]").ClickAsync();
        var again = await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select written_by from messages where id = @id", new { id }),
            w => w == "ai", what: "the new text written by the personalise job the operator asked for");
        var askedAudited = await Db.ScalarAsync<long>("select count(*) from audit_log where action = 'message.ask_new_text' and actor = 'admin'");

        await Page.GotoAsync(Host.Url("/dashboard/messages?status=scheduled"));
        var marked = await Page.Locator($"tr[data-message-id='{id}'] [data-written-by-ai]").CountAsync();
        var others = await Page.Locator("[data-written-by-ai]").CountAsync();

        await Page.GotoAsync(Host.Url("/dashboard"));
        var modelCost = await Page.Locator("[data-client-spend] tr[data-client=acme-dental] [data-model-cost]").InnerTextAsync();
        await ScreenshotAsync("overview-model-cost");

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo(rewritten));
            Assert.That(shownTemplate, Is.EqualTo(template));
            Assert.That(shownSummary, Is.EqualTo(Summary), "shown as text");
            Assert.That(injected, Is.Zero, "the caller's markup is encoded, never markup");
            Assert.That(title, Is.Not.EqualTo("owned"));
            Assert.That(after.Single(), Is.EqualTo(("template", template, (string?)"reverted by admin")));
            Assert.That(audited, Is.EqualTo(1));
            Assert.That((again, askedAudited), Is.EqualTo(("ai", 1L)));
            Assert.That((marked, others), Is.EqualTo((1, 1)), "the list marks the one message written by AI");
            Assert.That(marksInThread, Is.EqualTo(1), "the conversation marks the one message written by AI, not the template-written ones");
            Assert.That(modelCost, Is.EqualTo("0.0014 USD"), "two calls of the fake's 420 + 60 tokens at $1 and $5 per million: 2 × $0.00072");
        });
    }
}
