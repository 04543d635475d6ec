using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// A real headless Chromium (Debian's, never a downloaded one) per fixture; per test a fresh database,
/// the app on a real Kestrel port with a scripted SMS provider (retries an hour apart, so a failed job
/// stays Failed), the client acme-dental and a fresh browser context; helpers to sign in, to make
/// failed and dead-lettered jobs, and to keep a screenshot of a page as a test attachment.
/// </summary>
public abstract class BrowserTest
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    protected TestDatabase Db { get; private set; } = null!;

    protected DashboardHost Host { get; private set; } = null!;

    protected ScriptedSmsProvider Sms { get; private set; } = null!;

    protected IBrowserContext Context { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task LaunchBrowser()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"{ChromiumPath} is missing: install Debian's chromium (./test.sh does).");
        }

        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"] });
    }

    [OneTimeTearDown]
    public async Task CloseBrowser()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }

    [SetUp]
    public async Task NewContext()
    {
        Db = await TestDatabase.CreateAsync();
        Sms = new ScriptedSmsProvider("scripted");
        var settings = new Dictionary<string, string?> { ["FollowUp:Retry:Attempts"] = "2", ["FollowUp:Retry:DelaySeconds"] = "3600" };
        Configure(settings);
        Host = DashboardHost.Start(Db, settings, s => s.AddSingleton<ISmsProvider>(Sms));
        await TestClients.CreateAsync(Host.Services);
        Context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        Context.SetDefaultTimeout(15_000);
        Page = await Context.NewPageAsync();
        // Confirmation prompts (bulk actions, discard) are accepted, as a person would.
        Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
    }

    [TearDown]
    public async Task CloseContext()
    {
        await Context.CloseAsync();
        await Host.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>Settings of this fixture's app on top of the defaults.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    protected Task SignInAsync(string name = "admin", string password = DashboardHost.AdminPassword) => SignInAsync(Host, name, password);

    /// <summary>An SMS whose first attempt failed: its job waits in Hangfire's Scheduled state for a retry an hour away.</summary>
    protected async Task<MessageInfo> RetryingSmsAsync(string to = "+12125550123", string body = "Your appointment is tomorrow")
    {
        Sms.ThenFail(SendFailureKind.Transient, "503");
        var message = await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("acme-dental", to, body);
        await Eventually.WaitForAsync(() => Task.FromResult(HangfireProbe.History(Host.Services, message.JobId!.Value)),
            h => h.Count > 0 && h[^1].StateName == "Scheduled" && h.Any(x => x.StateName == "Processing"), what: "a retry to be scheduled");
        return message;
    }

    /// <summary>An SMS the provider refused permanently: its job is Failed in Hangfire, with an open dead letter.</summary>
    protected async Task<MessageInfo> DeadLetteredSmsAsync(string to = "+12125550130", string body = "Hello", string error = "21211")
    {
        Sms.ThenFail(SendFailureKind.Permanent, error);
        var message = await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("acme-dental", to, body);
        await WaitForJobStateAsync(message.JobId!.Value, "Failed");
        return message;
    }

    protected Task<string?> WaitForJobStateAsync(long jobId, string state) => HangfireProbe.WaitForStateAsync(Host.Services, jobId, state);

    protected string? JobState(long jobId) => HangfireProbe.StateOf(Host.Services, jobId);

    protected async Task SignInAsync(DashboardHost host, string name = "admin", string password = DashboardHost.AdminPassword)
    {
        await Page.GotoAsync(host.Url("/dashboard/login"));
        await Page.GetByLabel("User name").FillAsync(name);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.Locator("header .whoami")).ToContainTextAsync(name);
    }

    /// <summary>
    /// Saves a full-page screenshot and attaches it to the test result. Its own minute-long timeout: a
    /// screenshot is an attachment, not an assertion, and on two loaded cores a full-page capture of the
    /// stock dashboard took longer than Playwright's 15 s default (a test failed on it in CI).
    /// </summary>
    protected async Task ScreenshotAsync(string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true, Timeout = 60_000 });
        TestContext.AddTestAttachment(path, name);
    }
}
