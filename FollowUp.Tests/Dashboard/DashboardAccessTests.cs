using System.Net;
using System.Text.RegularExpressions;
using FollowUp.Tests.Support;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>Sign-in, lockout, roles, anti-forgery and headers, in a real browser against a real server.</summary>
public sealed partial class DashboardAccessTests : BrowserTest
{
    [GeneratedRegex("/dashboard/login")]
    private static partial Regex LoginUrl();

    [Test]
    public async Task Dashboard_NotSignedIn_RedirectsToLogin()
    {
        await Page.GotoAsync(Host.Url("/dashboard/messages"));

        await Assertions.Expect(Page).ToHaveURLAsync(LoginUrl());
        await ScreenshotAsync("login");
    }

    [Test]
    public async Task Hangfire_NotSignedIn_RedirectsToOurLogin_ThenOneSignInServesBothDashboards()
    {
        var response = await Page.APIRequest.GetAsync(Host.Url("/hangfire/jobs/failed"), new() { MaxRedirects = 0 });
        Assert.That(response.Status, Is.EqualTo(302), "never a blank 401 page");
        Assert.That(response.Headers["location"], Does.Contain("/dashboard/login"));

        await Page.GotoAsync(Host.Url("/hangfire/jobs/failed"));
        await Assertions.Expect(Page).ToHaveURLAsync(LoginUrl());
        await Page.GetByLabel("User name").FillAsync("admin");
        await Page.GetByLabel("Password").FillAsync(DashboardHost.AdminPassword);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Page.GotoAsync(Host.Url("/hangfire"));
        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync("Realtime Graph");
        var headers = await (await Page.GotoAsync(Host.Url("/hangfire/jobs/failed")))!.AllHeadersAsync();
        Assert.Multiple(() =>
        {
            Assert.That(headers["content-security-policy"], Does.Contain("script-src 'self';"));
            Assert.That(headers["x-frame-options"], Is.EqualTo("DENY"));
        });
        await Page.GotoAsync(Host.Url("/dashboard"));
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync("Overview");
    }

    [Test]
    public async Task Hangfire_Viewer_SeesNoActionButtons_AndAForgedRequeueIsRefused()
    {
        var jobId = (await DeadLetteredSmsAsync()).JobId!.Value;
        await Host.AddUserAsync("vera", "viewer-password-1", "viewer");
        await SignInAsync("vera", "viewer-password-1");
        await Page.GotoAsync(Host.Url($"/hangfire/jobs/details/{jobId}"));
        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync("Failed");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Requeue" })).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToHaveCountAsync(0);

        // The viewer forges the operator's request with a valid anti-forgery token from the page.
        var header = await Page.Locator("meta[name=csrf-header]").GetAttributeAsync("content");
        var token = await Page.Locator("meta[name=csrf-token]").GetAttributeAsync("content");
        var response = await Page.APIRequest.PostAsync(Host.Url($"/hangfire/jobs/actions/requeue/{jobId}"),
            new() { Headers = new Dictionary<string, string> { [header!] = token! }, MaxRedirects = 0 });

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo((int)HttpStatusCode.Unauthorized), "refused, not just hidden");
            Assert.That(JobState(jobId), Is.EqualTo("Failed"));
        });
    }

    [Test]
    public async Task Hangfire_RequeueWithoutAntiforgeryToken_Refused_JobUnchanged()
    {
        var jobId = (await DeadLetteredSmsAsync()).JobId!.Value;
        await SignInAsync();

        var response = await Page.APIRequest.PostAsync(Host.Url($"/hangfire/jobs/actions/requeue/{jobId}"), new() { MaxRedirects = 0 });

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo((int)HttpStatusCode.Forbidden));
            Assert.That(JobState(jobId), Is.EqualTo("Failed"));
        });
    }

    [Test]
    public async Task Login_AdminFromConfiguration_SeesOverviewWithSecurityHeaders()
    {
        await SignInAsync();
        var response = await Page.GotoAsync(Host.Url("/dashboard"));
        var headers = await response!.AllHeadersAsync();

        Assert.Multiple(() =>
        {
            Assert.That(headers["content-security-policy"], Does.Contain("script-src 'self'").And.Not.Contain("unsafe-inline"));
            Assert.That(headers["x-frame-options"], Is.EqualTo("DENY"));
            Assert.That(headers["x-content-type-options"], Is.EqualTo("nosniff"));
        });
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync("Overview");
        await ScreenshotAsync("overview");
    }

    [Test]
    public async Task Login_WrongPassword_SaysSoAndStaysSignedOut()
    {
        await Page.GotoAsync(Host.Url("/dashboard/login"));
        await Page.GetByLabel("User name").FillAsync("admin");
        await Page.GetByLabel("Password").FillAsync("not-the-password");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(Page.Locator(".problem")).ToHaveTextAsync("Wrong user name or password.");
        await Assertions.Expect(Page).ToHaveURLAsync(LoginUrl());
    }

    [Test]
    public async Task Login_FiveFailures_LocksEvenTheRightPassword()
    {
        for (var i = 0; i < 5; i++)
        {
            await Page.GotoAsync(Host.Url("/dashboard/login"));
            await Page.GetByLabel("User name").FillAsync("admin");
            await Page.GetByLabel("Password").FillAsync($"wrong-{i}");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(Page.Locator(".problem")).ToBeVisibleAsync();
        }

        await Page.GotoAsync(Host.Url("/dashboard/login"));
        await Page.GetByLabel("User name").FillAsync("admin");
        await Page.GetByLabel("Password").FillAsync(DashboardHost.AdminPassword);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(Page.Locator(".problem")).ToContainTextAsync("locked for 15 more minute(s) (after 5 failures)");
        Assert.That(await Db.ScalarAsync<bool>("select blocked_until > now() from dashboard_sign_in_throttles where name = 'admin'"), Is.True);
    }

    [Test]
    public async Task RequeuePost_Viewer_Refused403_JobUnchanged()
    {
        var jobId = (await DeadLetteredSmsAsync()).JobId!.Value;
        var letterId = await Db.ScalarAsync<long>("select id from dead_letters");
        await Host.AddUserAsync("vera", "viewer-password-1", "viewer");
        await SignInAsync("vera", "viewer-password-1");
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Requeue" })).ToHaveCountAsync(0);

        // The viewer forges the operator's form: a valid anti-forgery token (from the sign-out form) and the handler.
        var token = await Page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var response = await Page.APIRequest.PostAsync(Host.Url($"/dashboard/deadletters?handler=Requeue&id={letterId}"),
            new() { Form = Context.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!) , MaxRedirects = 0 });

        Assert.Multiple(async () =>
        {
            Assert.That(response.Status, Is.EqualTo((int)HttpStatusCode.Forbidden));
            Assert.That(await response.TextAsync(), Does.Contain("needs the operator role"));
            Assert.That(JobState(jobId), Is.EqualTo("Failed"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from audit_log"), Is.Zero);
        });
    }

    [Test]
    public async Task ViewerAndOperator_AdminAndOperatorPages_Refused403()
    {
        await Host.AddUserAsync("vera", "viewer-password-1", "viewer");
        await Host.AddUserAsync("otto", "operator-password-1", "operator");
        await SignInAsync("vera", "viewer-password-1");
        var viewerUsers = await Page.GotoAsync(Host.Url("/dashboard/users"));
        var viewerCompose = await Page.GotoAsync(Host.Url("/dashboard/compose"));
        var viewerJobs = await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Assertions.Expect(Page.Locator("header nav")).Not.ToContainTextAsync("Compose");
        await Context.ClearCookiesAsync();
        await SignInAsync("otto", "operator-password-1");
        var operatorUsers = await Page.GotoAsync(Host.Url("/dashboard/users"));
        var operatorCompose = await Page.GotoAsync(Host.Url("/dashboard/compose"));

        Assert.Multiple(() =>
        {
            Assert.That(viewerUsers!.Status, Is.EqualTo(403));
            Assert.That(viewerCompose!.Status, Is.EqualTo(403));
            Assert.That(viewerJobs!.Status, Is.EqualTo(200));
            Assert.That(operatorUsers!.Status, Is.EqualTo(403));
            Assert.That(operatorCompose!.Status, Is.EqualTo(200));
        });
    }

    [Test]
    public async Task Users_DuplicateNameShortPasswordBadName_EachRefusedPrecisely()
    {
        await SignInAsync();
        async Task<string> AddAsync(string name, string password)
        {
            await Page.GotoAsync(Host.Url("/dashboard/users"));
            await Page.GetByLabel("New user name").FillAsync(name);
            await Page.GetByLabel("Initial password").FillAsync(password);
            await Page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
            return (await Page.Locator(".problem").TextContentAsync())!;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await AddAsync("admin", "long-enough-password"), Is.EqualTo("There is already a user named 'admin'."));
            Assert.That(await AddAsync("new-user", "short"), Is.EqualTo("A password has at least 12 characters."));
            Assert.That(await AddAsync("bad name!", "long-enough-password"), Is.EqualTo("A user name is 1 to 64 letters, digits or . _ @ -."));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from dashboard_users"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RequeuePost_WithoutAntiforgeryToken_Refused400_JobUnchanged()
    {
        var jobId = (await DeadLetteredSmsAsync()).JobId!.Value;
        var letterId = await Db.ScalarAsync<long>("select id from dead_letters");
        await SignInAsync();

        var response = await Page.APIRequest.PostAsync(Host.Url($"/dashboard/deadletters?handler=Requeue&id={letterId}"),
            new() { Form = Context.APIRequest.CreateFormData().Set("unused", "x"), MaxRedirects = 0 });

        Assert.Multiple(async () =>
        {
            Assert.That(response.Status, Is.EqualTo((int)HttpStatusCode.BadRequest));
            Assert.That(JobState(jobId), Is.EqualTo("Failed"));
        });
    }

    [Test]
    public async Task Api_DashboardCookie_IsNotAnApiKey401()
    {
        await SignInAsync();

        var response = await Page.APIRequest.GetAsync(Host.Url("/api/dead-letters"));

        Assert.That(response.Status, Is.EqualTo((int)HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Users_AdminAddsOperator_DisablesThem_TheirSessionEnds()
    {
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/users"));
        await Page.GetByLabel("New user name").FillAsync("otto");
        await Page.GetByLabel("Initial password").FillAsync("operator-password-1");
        await Page.GetByLabel("New user role").SelectOptionAsync("operator");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Assertions.Expect(Page.Locator("tr[data-user=otto]")).ToContainTextAsync("operator");
        await ScreenshotAsync("users");

        var other = await Context.Browser!.NewContextAsync();
        var otto = await other.NewPageAsync();
        await otto.GotoAsync(Host.Url("/dashboard/login"));
        await otto.GetByLabel("User name").FillAsync("otto");
        await otto.GetByLabel("Password").FillAsync("operator-password-1");
        await otto.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(otto.Locator("header .whoami")).ToContainTextAsync("otto (operator)");

        await Page.Locator("tr[data-user=otto] select[name=role]").SelectOptionAsync("operator");
        await Page.Locator("tr[data-user=otto] input[name=disabled]").CheckAsync();
        await Page.Locator("tr[data-user=otto]").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(Page.Locator("tr[data-user=otto]")).ToContainTextAsync("disabled");

        await otto.GotoAsync(Host.Url("/dashboard"));
        await Assertions.Expect(otto).ToHaveURLAsync(LoginUrl());
        await other.CloseAsync();
        var audit = await Db.QueryAsync<string>("select action || ' ' || target || ' ' || coalesce(after::text, '') from audit_log order by id");
        Assert.That(audit, Has.Some.StartsWith("user.add user otto").And.Some.Contains("\"disabled\": true"));
    }
}
