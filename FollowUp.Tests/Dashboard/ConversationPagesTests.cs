using System.Net;
using System.Text.Json;
using FollowUp.Jobs.Conversations;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Tests.Dashboard;

/// <summary>The conversation pages in a real browser: both directions, live updates, answering, roles, encoding.</summary>
public sealed class ConversationPagesTests : BrowserTest
{
    private const string Customer = "+12125550123";
    private const string Script = "<script>window.__pwned = 1</script>";

    /// <summary>A booked call from a customer whose name carries markup; returns the confirmation's id once sent.</summary>
    private async Task<long> BookedCallAsync()
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["event_id"] = "evt_1", ["event"] = "call_ended", ["client_id"] = "acme-dental", ["call_id"] = "call_1",
            ["occurred_at"] = InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant()), ["outcome"] = "booked",
            ["customer"] = new { name = $"{Script} Ana", phone = Customer },
            ["appointment"] = new { id = "apt_1", starts_at = InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(3)) },
        });
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        using var request = Web.CallWebhookTests.Signed(json);
        var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var sent = await Eventually.WaitForAsync(() => Db.QueryAsync<long>("select id from messages where kind = 'confirmation' and status = 'sent'"),
            r => r.Count == 1, what: "the confirmation to be sent");
        return sent[0];
    }

    private Task<InboundOutcome> ReplyAsync(string body) =>
        // The product path behind Twilio's signed webhook (ConversationTests covers the HTTP and the signature).
        Host.Services.GetRequiredService<InboundReplies>().ReceiveAsync(new InboundSms("twilio", "SM" + Guid.NewGuid().ToString("N"),
            Customer, TestClients.Acme().SmsFrom!, body, null, false), CancellationToken.None);

    private string ThreadUrl => Host.Url($"/dashboard/conversations/thread?client=acme-dental&phone={Uri.EscapeDataString(Customer)}");

    [Test]
    public async Task Thread_ShowsBothDirections_UpdatesLive_OperatorAnswers_MarkupStaysText()
    {
        await BookedCallAsync();
        await ReplyAsync("C");
        await SignInAsync();

        await Page.GotoAsync(ThreadUrl);
        await Page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await Assertions.Expect(Page.Locator("li.bubble.outbound").First).ToContainTextAsync("confirmation");
        await Assertions.Expect(Page.Locator("li.bubble.inbound [data-action=confirmed]")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("[data-appointment=apt_1]")).ToContainTextAsync("confirmed");

        await ReplyAsync($"Can I bring my kid? {Script}");
        var live = Page.Locator("li.bubble.inbound").Filter(new() { HasText = "Can I bring my kid?" });
        await Assertions.Expect(live).ToBeVisibleAsync();
        await Assertions.Expect(live).ToContainTextAsync(Script);
        var sameDocument = await Page.EvaluateAsync<bool>("() => window.__sameDocument === true");
        var pwned = await Page.EvaluateAsync<bool>("() => window.__pwned !== undefined");
        await ScreenshotAsync("conversation");

        await Page.GetByLabel("Answer by SMS").FillAsync("Of course, see you Thursday.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Assertions.Expect(Page.Locator("li.bubble.outbound").Filter(new() { HasText = "Of course, see you Thursday." })).ToContainTextAsync("reply");
        var reply = await Eventually.WaitForAsync(() => Db.QueryAsync<(string Kind, string Recipient, string Status)>(
            "select kind, recipient, status from messages where kind = 'reply'"), r => r.Count == 1 && r[0].Status == "sent", what: "the reply to be sent");

        Assert.Multiple(async () =>
        {
            Assert.That(sameDocument, Is.True, "the new reply arrived without reloading the page");
            Assert.That(pwned, Is.False, "markup in a name or a body is shown as text, never run");
            Assert.That(reply[0].Recipient, Is.EqualTo(Customer));
            Assert.That(await Db.ScalarAsync<string>("select action from audit_log where action = 'conversation.reply'"), Is.EqualTo("conversation.reply"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_sms where read_at is null"), Is.Zero, "an operator's visit reads them");
            Assert.That(Sms.Calls.Select(c => c.Body), Has.Some.EqualTo("Of course, see you Thursday."));
        });
    }

    [Test]
    public async Task List_ShowsUnreadReplies_SearchByName_ViewerCannotAnswer()
    {
        await BookedCallAsync();
        await ReplyAsync("Is Thursday possible?");
        await ReplyAsync("Hello?");
        await Host.AddUserAsync("vera", "viewer-password-1", "viewer");
        await SignInAsync("vera", "viewer-password-1");

        await Page.GotoAsync(Host.Url("/dashboard/conversations?q=ana"));
        var row = Page.Locator($"tr[data-conversation='{Customer}']");
        await Assertions.Expect(row.Locator("[data-unread]")).ToHaveTextAsync("2");
        await Assertions.Expect(row).ToContainTextAsync(Script + " Ana");
        await Assertions.Expect(row).ToContainTextAsync("Hello?");
        await ScreenshotAsync("conversations");
        await row.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(Page.Locator("li.bubble.inbound")).ToHaveCountAsync(2);
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Send reply" })).ToHaveCountAsync(0);

        // The viewer forges the operator's form with a valid anti-forgery token (from the sign-out form).
        var token = await Page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var forged = await Page.APIRequest.PostAsync(ThreadUrl + "&handler=Reply", new()
        {
            Form = Context.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!).Set("body", "forged"), MaxRedirects = 0,
        });

        Assert.Multiple(async () =>
        {
            Assert.That(forged.Status, Is.EqualTo((int)HttpStatusCode.Forbidden));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where kind = 'reply'"), Is.Zero);
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_sms where read_at is null"), Is.EqualTo(2), "a viewer only reads");
        });
    }
}
