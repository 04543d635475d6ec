using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>What support staff do on the dashboard, in a real browser: see, requeue, edit, bulk, compose.</summary>
public sealed class DashboardPagesTests : BrowserTest
{
    [Test]
    public async Task FailedJob_RequeueWithOneClick_Succeeds()
    {
        var message = await FailedSmsAsync();
        var jobId = message.JobId!.Value;
        await SignInAsync();

        await Page.GotoAsync(Host.Url("/dashboard/jobs?state=Failed"));
        var row = Page.Locator($"tr[data-job-id='{jobId}']");
        await Assertions.Expect(row).ToContainTextAsync("+15551234567");
        await Assertions.Expect(row).ToContainTextAsync("scripted refused (503)");
        await ScreenshotAsync("jobs-failed");
        await row.GetByRole(AriaRole.Link, new() { Name = jobId.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-job-state]")).ToHaveTextAsync("Failed");
        await Assertions.Expect(Page.Locator(".timeline")).ToContainTextAsync("ProviderSendException");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Requeue" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".notice")).ToHaveTextAsync($"Job {jobId} requeued.");

        // The page follows the job live: no reload.
        await Assertions.Expect(Page.Locator("[data-job-state]")).ToHaveTextAsync("Succeeded");
        await Assertions.Expect(Page.Locator(".timeline")).ToContainTextAsync("Requeued by admin");
        await ScreenshotAsync("job-detail");
        var audit = await Db.QueryAsync<string>("select actor || ' ' || action || ' ' || target || ' ' || before::text from audit_log");
        Assert.That(audit, Is.EqualTo(new[] { $"admin job.requeue job {jobId} {{\"state\": \"Failed\", \"attempt\": 1}}" }));
    }

    [Test]
    public async Task DeadLetter_EditAndRetry_BadRecipientRefused_ThenSentToTheNewOne()
    {
        var message = await DeadLetteredSmsAsync(to: "+15551230000", body: "Hello");
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Assertions.Expect(Page.Locator("tbody tr")).ToHaveCountAsync(1);
        await ScreenshotAsync("dead-letters");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Edit & retry" }).ClickAsync();

        await Page.GetByLabel("Recipient").FillAsync("555-0100");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save and retry" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-error-for=to]")).ToHaveTextAsync("'555-0100' is not a valid E.164 number.");
        Assert.That(await Db.ScalarAsync<string>("select recipient from messages where id = @id", new { id = message.Id }), Is.EqualTo("+15551230000"));

        await Page.GetByLabel("Recipient").FillAsync("+15551239999");
        await Page.GetByLabel("Body").FillAsync("Hello again");
        await ScreenshotAsync("dead-letter-edit");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save and retry" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".notice")).ToContainTextAsync("requeued");

        await WaitForJobStateAsync(message.JobId!.Value, "Succeeded");
        var sent = Sms.Calls.Last();
        Assert.Multiple(async () =>
        {
            Assert.That(sent.To, Is.EqualTo("+15551239999"));
            Assert.That(sent.Body, Is.EqualTo("Hello again"));
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters"), Is.EqualTo("Requeued by admin"));
            Assert.That(await Db.ScalarAsync<string>("select before::text || ' -> ' || after::text from audit_log where action = 'message.edit'"),
                Is.EqualTo("""{"to": "+15551230000", "body": "Hello", "subject": null} -> {"to": "+15551239999", "body": "Hello again", "subject": null}"""));
        });
    }

    [Test]
    public async Task Jobs_RequeueAllMatching_OnlyTheSearchedRecipientsJobsRun()
    {
        var wanted = new List<MessageInfo>();
        for (var i = 0; i < 3; i++)
        {
            wanted.Add(await FailedSmsAsync(to: "+15550000001", body: $"wanted {i}"));
        }

        var other = await FailedSmsAsync(to: "+15550000002", body: "other");
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/jobs?state=Failed"));
        await Page.GetByLabel("recipient").FillAsync("+15550000001");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(Page.Locator("tbody tr")).ToHaveCountAsync(3);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Requeue all matching" }).ClickAsync();

        await Assertions.Expect(Page.Locator("[data-bulk-finished]")).ToHaveAttributeAsync("data-bulk-finished", "true");
        await Assertions.Expect(Page.Locator("[data-bulk-changed]")).ToHaveTextAsync("3");
        await Assertions.Expect(Page.Locator(".progress")).ToContainTextAsync("3 of 3 processed");
        await ScreenshotAsync("bulk-progress");
        foreach (var m in wanted)
        {
            await WaitForJobStateAsync(m.JobId!.Value, "Succeeded");
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select state from jobs where id = @id", new { id = other.JobId }), Is.EqualTo("Failed"));
            Assert.That(await Db.ScalarAsync<string>("select target || ' ' || after::text from audit_log where action = 'jobs.bulk_requeue'"),
                Is.EqualTo("""all matching: state=Failed recipient=+15550000001 {"error": null, "changed": 3, "processed": 3}"""));
        });
    }

    [Test]
    public async Task Compose_InvalidThenValidSms_FieldErrorsThenSent()
    {
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/compose"));
        await Page.GetByLabel("To").FillAsync("not-a-number");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-error-for=to]")).ToHaveTextAsync("must be an E.164 number such as +15551234567");
        await Assertions.Expect(Page.Locator("[data-error-for=body]")).ToHaveTextAsync("must not be empty.");
        Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.Zero);

        await Page.GetByLabel("To").FillAsync("+15557770000");
        await Page.GetByLabel("Body").FillAsync("We moved your appointment to 3 PM");
        await ScreenshotAsync("compose");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-message-body]")).ToHaveTextAsync("We moved your appointment to 3 PM");

        var id = await Db.ScalarAsync<long>("select id from messages");
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select status from messages where id = @id", new { id }), s => s == "sent");
        Assert.Multiple(async () =>
        {
            Assert.That(Sms.Calls.Single().To, Is.EqualTo("+15557770000"));
            Assert.That(await Db.ScalarAsync<string>("select actor || ' ' || action from audit_log"), Is.EqualTo("admin message.compose"));
        });
    }

    [Test]
    public async Task Messages_ScriptInNameAndBody_RendersAsText()
    {
        const string script = "<script>alert(1)</script>";
        await TestClients.CreateAsync(Host.Services, "evil-co", TestClients.Acme(c => c with { Name = script }));
        var message = await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("evil-co", "+15551112222", script);
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select status from messages where id = @id", new { id = message.Id }), s => s == "sent");
        var dialogs = 0;
        Page.Dialog += (_, _) => dialogs++;
        await SignInAsync();

        await Page.GotoAsync(Host.Url("/dashboard/messages?status=sent"));
        var row = Page.Locator($"tr[data-message-id='{message.Id}']");
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(script);
        await Assertions.Expect(row.Locator("td.preview")).ToHaveTextAsync(script);
        await ScreenshotAsync("messages");
        await Page.GotoAsync(Host.Url($"/dashboard/messages/{message.Id}"));
        await Assertions.Expect(Page.Locator("[data-message-body]")).ToHaveTextAsync(script);

        var html = await Page.ContentAsync();
        await Db.ExecuteAsync("""
            insert into inbound_webhooks (source, client_id, event_id, call_id, outcome, raw_body, status, received_at)
            values ('followup', 'evil-co', 'evt_1', 'call_1', 'booked', @body, 'failed', now())
            """, new { body = $$"""{ "customer": { "name": "{{script}}" } }""" });
        await Page.GotoAsync(Host.Url("/dashboard/calls"));
        await Assertions.Expect(Page.Locator("tr[data-webhook] pre")).ToHaveTextAsync($$"""{ "customer": { "name": "{{script}}" } }""");
        var callsHtml = await Page.ContentAsync();
        Assert.Multiple(() =>
        {
            Assert.That(dialogs, Is.Zero);
            Assert.That(html, Does.Not.Contain(script));
            Assert.That(html, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));
            Assert.That(callsHtml, Does.Not.Contain(script));
        });
    }

    [Test]
    public async Task Overview_CountersUpdateLiveWithoutReload()
    {
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard"));
        await Assertions.Expect(Page.Locator("[data-live-status]")).ToHaveTextAsync("live");
        await Assertions.Expect(Page.Locator("[data-counter='job:Failed']")).ToHaveTextAsync("0");
        var navigations = 0;
        Page.FrameNavigated += (_, _) => navigations++;

        await FailedSmsAsync();

        // Counted every second here (every 15 s by default) and pushed every 2 s; no reload.
        await Assertions.Expect(Page.Locator("[data-counter='job:Failed']")).ToHaveTextAsync("1");
        Assert.That(navigations, Is.Zero);
    }

    [Test]
    public async Task Schedule_CancelAPlannedMessage_MessageAndJobCancelled()
    {
        var message = await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("acme-dental", "+15554443333", "Reminder: tomorrow at 10",
            NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromHours(5));
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/schedule"));
        var row = Page.Locator($"tr[data-message-id='{message.Id}']");
        await Assertions.Expect(row).ToContainTextAsync("Reminder: tomorrow at 10");

        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Assertions.Expect(Page.Locator(".notice")).ToHaveTextAsync($"Message {message.Id} to +15554443333 cancelled.");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select status from messages where id = @id", new { id = message.Id }), Is.EqualTo("cancelled"));
            Assert.That(await Db.ScalarAsync<string>("select state from jobs where id = @id", new { id = message.JobId }), Is.EqualTo("Cancelled"));
            Assert.That(await Db.ScalarAsync<string>("select action || ' ' || before::text || ' ' || after::text from audit_log"),
                Is.EqualTo("""message.cancel {"status": "scheduled"} {"status": "cancelled"}"""));
        });
    }

    [Test]
    public async Task DeadLetter_Discard_ResolvedAndGoneFromTheList_JobStaysDeadLettered()
    {
        var message = await DeadLetteredSmsAsync();
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));

        await Page.GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();

        await Assertions.Expect(Page.Locator(".notice")).ToContainTextAsync("discarded");
        await Assertions.Expect(Page.Locator("tr[data-dead-letter]")).ToHaveCountAsync(0);
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters"), Is.EqualTo("Discarded by admin"));
            Assert.That(await Db.ScalarAsync<string>("select state from jobs where id = @id", new { id = message.JobId }), Is.EqualTo("DeadLettered"));
            Assert.That(await Db.ScalarAsync<string>("select action from audit_log"), Is.EqualTo("dead_letter.discard"));
        });
    }

    [Test]
    public async Task DeadLetters_RequeueAll_RequeuesOpenOnes_DiscardedStayDiscarded()
    {
        var discarded = await DeadLetteredSmsAsync(to: "+15551230001");
        var open = await DeadLetteredSmsAsync(to: "+15551230002");
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Page.Locator("tr[data-dead-letter]").Filter(new() { Has = Page.Locator($"a[href='/dashboard/jobs/{discarded.JobId}']") })
            .GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await Assertions.Expect(Page.Locator("tr[data-dead-letter]")).ToHaveCountAsync(1);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Requeue all" }).ClickAsync();

        await Assertions.Expect(Page.Locator("[data-bulk-finished]")).ToHaveAttributeAsync("data-bulk-finished", "true");
        await Assertions.Expect(Page.Locator(".progress")).ToContainTextAsync("1 of 1 processed");
        await WaitForJobStateAsync(open.JobId!.Value, "Succeeded");
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select state from jobs where id = @id", new { id = discarded.JobId }), Is.EqualTo("DeadLettered"));
            Assert.That(await Db.ScalarAsync<string>("select after::text from audit_log where action = 'dead_letters.bulk_requeue'"),
                Is.EqualTo("""{"error": null, "changed": 1, "processed": 1}"""));
        });
    }

    [Test]
    public async Task Recurring_TriggerNowAndPause_FromThePage()
    {
        var message = await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("acme-dental", "+15554443333", "digest",
            NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromDays(3));
        await Host.Services.GetRequiredService<FollowUp.Jobs.Engine.IJobClient>()
            .AddOrUpdateRecurringAsync<SendSmsJob>("nightly-digest", "0 0 2 * * ?", NodaTime.DateTimeZoneProviders.Tzdb["America/New_York"], new SendMessageArgs(message.Id));
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/recurring"));
        var row = Page.Locator("tr[data-recurring='nightly-digest']");

        await row.GetByRole(AriaRole.Button, new() { Name = "Trigger now" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".notice")).ToContainTextAsync("Recurring job nightly-digest triggered: job ");
        await row.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("paused");
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToBeVisibleAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<long>("select count(*) from jobs where recurring_id = 'nightly-digest'"), Is.EqualTo(1));
            Assert.That(await Db.QueryAsync<string>("select action from audit_log order by id"), Is.EqualTo(new[] { "recurring.trigger", "recurring.pause" }));
        });
    }

    [Test]
    public async Task JobsList_NewFailedJob_AppearsWithoutReload()
    {
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/jobs?state=Failed"));
        await Assertions.Expect(Page.Locator("tbody tr")).ToHaveCountAsync(0);
        var navigations = 0;
        Page.FrameNavigated += (_, _) => navigations++;

        var message = await FailedSmsAsync(to: "+15556667777");

        await Assertions.Expect(Page.Locator($"tr[data-job-id='{message.JobId}']")).ToContainTextAsync("+15556667777");
        Assert.That(navigations, Is.Zero);
    }

    [Test]
    public async Task EveryPage_RendersForAnAdmin_Screenshots()
    {
        // Chart data as the counter roll-ups would have written it: 40 succeeded per minute this hour, 7 failed two days ago.
        await Db.ExecuteAsync("""
            insert into job_counters (minute, job_type, state, count)
            select date_trunc('minute', now()) - m * interval '1 minute', 'send-sms', 'Succeeded', 40 + m % 9 from generate_series(1, 50) m;
            insert into job_days (day, state, count)
            select (now() at time zone 'UTC')::date - d, s, case s when 'Succeeded' then 2000 + d * 90 else 7 end
            from generate_series(1, 13) d cross join (values ('Succeeded'), ('Failed')) states(s);
            """);
        await DeadLetteredSmsAsync();
        await FailedSmsAsync();
        await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("acme-dental", "+15554443333", "See you tomorrow at 10",
            NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromHours(3));
        await Host.Services.GetRequiredService<FollowUp.Jobs.Engine.IJobClient>()
            .AddOrUpdateRecurringAsync<SendSmsJob>("nightly-digest", "0 0 2 * * ?", NodaTime.DateTimeZoneProviders.Tzdb["America/New_York"], new SendMessageArgs(1));
        await SignInAsync();

        foreach (var (path, name, heading) in new[]
        {
            ("/dashboard", "overview", "Overview"), ("/dashboard/jobs?state=DeadLettered", "jobs", "Jobs"),
            ("/dashboard/deadletters", "dead-letters", "Dead letters"), ("/dashboard/messages?status=scheduled", "messages-scheduled", "Messages"),
            ("/dashboard/schedule", "schedule", "Schedule"), ("/dashboard/calls", "calls", "Calls"), ("/dashboard/compose", "compose", "Compose"),
            ("/dashboard/recurring", "recurring", "Recurring jobs"), ("/dashboard/servers", "servers", "Servers"),
            ("/dashboard/audit", "audit", "Audit log"), ("/dashboard/users", "users", "Users"),
        })
        {
            var response = await Page.GotoAsync(Host.Url(path));
            Assert.That(response!.Status, Is.EqualTo(200), path);
            await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync(heading);
            await ScreenshotAsync("page-" + name);
        }

        await Page.GotoAsync(Host.Url("/dashboard"));
        var charts = Page.Locator("svg.chart");
        await Assertions.Expect(charts.Nth(0).Locator("g title").Filter(new() { HasText = "40 succeeded, 0 failed" })).Not.ToHaveCountAsync(0);
        await Assertions.Expect(charts.Nth(1).Locator("g title").Filter(new() { HasText = "2180 succeeded, 7 failed, 0 dead-lettered" })).ToHaveCountAsync(1);

        await Page.GotoAsync(Host.Url("/dashboard/recurring"));
        await Assertions.Expect(Page.Locator("tr[data-recurring='nightly-digest']")).ToContainTextAsync("active");
        await Page.GotoAsync(Host.Url("/dashboard/schedule"));
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("See you tomorrow at 10");
    }
}
