using FollowUp.Tests.Support;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>The interactive API reference at /api/docs (Scalar), in a real browser.</summary>
public sealed class ApiReferencePageTests : BrowserTest
{
    [Test]
    public async Task ApiDocs_SignedOut_GoesToTheSignIn()
    {
        await Page.GotoAsync(Host.Url("/api/docs"));

        Assert.That(Page.Url, Does.Contain("/dashboard/login"));
    }

    [Test]
    public async Task ApiDocs_SignedIn_ShowsTheApi_AsksForTheKey_EmbedsNone()
    {
        await SignInAsync();
        var openApiRequested = false;
        Page.Request += (_, request) => openApiRequested |= request.Url.EndsWith("/openapi/v1.json", StringComparison.Ordinal);

        var response = await Page.GotoAsync(Host.Url("/api/docs"));
        // Read from /openapi/v1.json and rendered: the groups (tags) of the API in the sidebar.
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Appointments" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "/api/conversations HTTP Method: GET" })).ToBeVisibleAsync();
        await ScreenshotAsync("api-docs");
        var html = await Page.ContentAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response!.Status, Is.EqualTo(200));
            Assert.That(openApiRequested, Is.True);
            Assert.That(html, Does.Not.Contain(ApiHost.ApiKey));
        });
    }
}
