using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>The stock pages at /hangfire with FollowUp's jobs on them.</summary>
public sealed class HangfireStockPagesTests : BrowserTest
{
    [Test]
    public async Task Hangfire_SendWaitingForItsRetry_OnTheStockRetriesPage_WithItsBadge()
    {
        var message = await RetryingSmsAsync(to: "+15551234567");
        await SignInAsync();

        await Page.GotoAsync(Host.Url("/hangfire/retries"));

        await Assertions.Expect(Page.Locator("tr").Filter(new() { HasText = $"(message {message.Id})" })).ToContainTextAsync("SMS adhoc to +1555…4567");
        await Assertions.Expect(Page.Locator(".navbar a").Filter(new() { HasText = "Retries" })).ToContainTextAsync("1");
        await ScreenshotAsync("hangfire-retries");
    }
}
