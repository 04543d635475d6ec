using System.Globalization;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Contracts;
using FollowUp.Tests.Support;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Tests.Dashboard;

/// <summary>The stock pages at /hangfire with FollowUp's jobs on them: retries, and markup from callers shown as text.</summary>
public sealed class HangfireStockPagesTests : BrowserTest
{
    private const string Script = "<script>alert(1)</script>";

    [Test]
    public async Task Hangfire_SendWaitingForItsRetry_OnTheStockRetriesPage_WithItsBadge()
    {
        var message = await RetryingSmsAsync(to: "+12125554567");
        await SignInAsync();

        await Page.GotoAsync(Host.Url("/hangfire/retries"));

        await Assertions.Expect(Page.Locator("tr").Filter(new() { HasText = $"(message {message.Id})" })).ToContainTextAsync("SMS adhoc to +1212…4567");
        await Assertions.Expect(Page.Locator(".navbar a").Filter(new() { HasText = "Retries" })).ToContainTextAsync("1");
        await ScreenshotAsync("hangfire-retries");
    }

    [Test]
    public async Task Hangfire_MarkupInACustomerNameABodyAndADevelopersJobArgument_RendersAsTextOnListsAndDetails()
    {
        // A developer's job through the container's IBackgroundJobClient: the argument is in its display name.
        var jobs = Host.Services.GetRequiredService<IBackgroundJobClient>();
        var imported = long.Parse(jobs.Enqueue(() => CustomerImportJob.RunAsync(Script, CancellationToken.None)), CultureInfo.InvariantCulture);
        var waiting = long.Parse(jobs.Schedule(() => CustomerImportJob.RunAsync(Script, CancellationToken.None), TimeSpan.FromHours(1)),
            CultureInfo.InvariantCulture);
        // A call whose customer is named with markup: the confirmation's body carries it; its jobs carry ids and a label only.
        var now = SystemClock.Instance.GetCurrentInstant();
        var call = new CallEvent
        {
            EventId = "evt_markup", Event = "call_ended", ClientId = "acme-dental", CallId = "call_markup",
            OccurredAt = InstantPattern.ExtendedIso.Format(now), Outcome = "booked",
            Customer = new CallCustomer { Name = Script, Phone = "+12125552222" },
            Appointment = new CallAppointment { Id = "apt_markup", StartsAt = InstantPattern.ExtendedIso.Format(now + Duration.FromDays(3)), Service = Script },
        };
        var intake = await Host.Services.GetRequiredService<CallIntake>().AcceptAsync(CallSource.FollowUp, call, "{}", null, CancellationToken.None);
        Assert.That(intake.Status, Is.EqualTo(IntakeStatus.Accepted), intake.Error);
        var confirmation = await Eventually.WaitForAsync(
            () => Db.QueryAsync<(long Id, long? JobId, string Body, string Status)>("select id, job_id, body, status from messages where kind = 'confirmation' and channel = 'sms'"),
            rows => rows.Count == 1 && rows[0].Status == "sent", what: "the confirmation to be sent");
        var sent = confirmation[0];
        await WaitForJobStateAsync(imported, "Succeeded");
        var dialogs = 0;
        Page.Dialog += (_, _) => dialogs++;
        await SignInAsync();

        var pages = new List<string>();
        await Page.GotoAsync(Host.Url("/hangfire/jobs/succeeded"));
        await Assertions.Expect(Page.Locator("tr").Filter(new() { HasText = $"(message {sent.Id})" })).ToContainTextAsync("SMS confirmation to +1212…2222");
        await Assertions.Expect(Page.Locator($"a.job-method[href='/hangfire/jobs/details/{imported}']")).ToHaveTextAsync($"Import customer {Script}");
        await ScreenshotAsync("hangfire-succeeded-markup");
        pages.Add(await Page.ContentAsync());
        await Page.GotoAsync(Host.Url("/hangfire/jobs/scheduled"));
        await Assertions.Expect(Page.Locator($"a.job-method[href='/hangfire/jobs/details/{waiting}']")).ToHaveTextAsync($"Import customer {Script}");
        pages.Add(await Page.ContentAsync());
        await Page.GotoAsync(Host.Url($"/hangfire/jobs/details/{imported}"));
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync($"Import customer {Script}");
        await Assertions.Expect(Page.Locator(".job-snippet-code")).ToContainTextAsync($"\"{Script}\"");
        await ScreenshotAsync("hangfire-details-markup");
        pages.Add(await Page.ContentAsync());
        await Page.GotoAsync(Host.Url($"/hangfire/jobs/details/{sent.JobId}"));
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync($"SMS confirmation to +1212…2222 (message {sent.Id})");
        pages.Add(await Page.ContentAsync());

        Assert.Multiple(() =>
        {
            Assert.That(sent.Body, Does.Contain(Script), "the payload did reach the message");
            Assert.That(dialogs, Is.Zero, "no script ran");
            Assert.That(pages, Has.All.Not.Contain(Script), "never written as markup");
            Assert.That(pages.Take(3), Has.All.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"), "written escaped");
        });
    }
}
