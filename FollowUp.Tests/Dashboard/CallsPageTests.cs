using System.Net;
using FollowUp.Tests.Web;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>The calls journal in a real browser: a webhook whose processing failed, replayed with one click.</summary>
public sealed class CallsPageTests : BrowserTest
{
    [Test]
    public async Task Calls_FailedWebhook_ReplayWithOneClick_PlansItOnce_Audited()
    {
        // A real failure inside processing: the calls insert raises, so the webhook is journaled and failed.
        await Db.ExecuteAsync("""
            create function fail_calls() returns trigger language plpgsql as $$ begin raise exception 'disk full (test)'; end $$;
            create trigger fail_calls before insert on calls for each row execute function fail_calls();
            """);
        using var http = new HttpClient { BaseAddress = new Uri(Host.Url("/")) };
        var failed = await http.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked()));
        Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        await Db.ExecuteAsync("drop trigger fail_calls on calls");

        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/calls?status=failed"));
        var row = Page.Locator("tr[data-webhook]");
        await Assertions.Expect(row.Locator("td.error")).ToContainTextAsync("disk full (test)");
        await ScreenshotAsync("calls-failed");
        await row.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();

        await Assertions.Expect(Page.Locator(".notice")).ToContainTextAsync("replayed: its follow-up is planned");
        await Page.GotoAsync(Host.Url("/dashboard/calls"));
        await Assertions.Expect(Page.Locator("tr[data-webhook] td").Nth(7)).ToContainTextAsync("processed");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Replay" })).ToHaveCountAsync(0);
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where call_id = 'call_123'"), Is.EqualTo(6));
            Assert.That(await Db.ScalarAsync<string>("select actor || ' ' || action from audit_log where action = 'call_webhook.replay'"),
                Is.EqualTo("admin call_webhook.replay"));
        });
    }
}
