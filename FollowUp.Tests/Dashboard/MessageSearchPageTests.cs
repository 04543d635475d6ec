using System.Globalization;
using FollowUp.Jobs.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NodaTime;

namespace FollowUp.Tests.Dashboard;

/// <summary>The Messages page's search and filters (those of GET /api/messages), in a real browser.</summary>
public sealed class MessageSearchPageTests : BrowserTest
{
    [Test]
    public async Task Messages_SearchAndFilter_OnlyMatchingRows_BadFilterSaysWhy()
    {
        var messages = Host.Services.GetRequiredService<IMessageClient>();
        var later = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(2);
        var parcel = await messages.SendSmsAsync("acme-dental", "+12125550199", "Your parcel xyzzy is ready", later);
        var other = await messages.SendSmsAsync("acme-dental", "+12125550198", "Your table is ready", later);
        var mail = await messages.SendEmailAsync("acme-dental", "bob@example.com", "Parcel", "Your xyzzy parcel", later);
        await SignInAsync();

        await Page.GotoAsync(Host.Url("/dashboard/messages?status=scheduled"));
        await Page.Locator("[data-message-filters] input[name=q]").FillAsync("XYZZY");
        await Page.Locator("[data-message-filters] button[type=submit]").ClickAsync();
        await Assertions.Expect(Page.Locator("tr[data-message-id]")).ToHaveCountAsync(2);
        await ScreenshotAsync("messages-search");
        var found = await Page.Locator("tr[data-message-id]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.messageId)");
        await Page.Locator("[data-message-filters] select[name=channel]").SelectOptionAsync("sms");
        await Page.Locator("[data-message-filters] button[type=submit]").ClickAsync();
        await Assertions.Expect(Page.Locator("tr[data-message-id]")).ToHaveCountAsync(1);
        var sms = await Page.Locator("tr[data-message-id]").GetAttributeAsync("data-message-id");

        var bad = await Page.GotoAsync(Host.Url("/dashboard/messages?status=scheduled&q=ab"));
        var errors = await Page.Locator("[data-filter-errors]").InnerTextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.EqualTo(new[] { mail.Id.ToString(CultureInfo.InvariantCulture), parcel.Id.ToString(CultureInfo.InvariantCulture) }), $"not {other.Id}");
            Assert.That(sms, Is.EqualTo(parcel.Id.ToString(CultureInfo.InvariantCulture)));
            Assert.That(bad!.Status, Is.EqualTo(422));
            Assert.That(errors, Does.Contain("q must be 3 to 100 characters"));
        });
    }
}
