using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>What support staff do on the dashboard, in a real browser: see, requeue, edit, bulk, compose.</summary>
public sealed class DashboardPagesTests : BrowserTest
{
    [Test]
    public async Task DeadLetter_RequeueFromTheStockFailedPage_Succeeds_DeadLetterRequeuedByTheUser_Audited()
    {
        var message = await DeadLetteredSmsAsync(to: "+12125550123");
        var jobId = message.JobId!.Value;
        await SignInAsync();

        await Page.GotoAsync(Host.Url("/hangfire/jobs/failed"));
        var row = Page.Locator("tr").Filter(new() { HasText = $"(message {message.Id})" });
        await Assertions.Expect(row).ToContainTextAsync("SMS adhoc to +1212…0123");
        await ScreenshotAsync("hangfire-failed");
        await Page.GotoAsync(Host.Url($"/hangfire/jobs/details/{jobId}"));
        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync("Dead-lettered as #");
        // Hangfire's script POSTs, then reloads the page itself: wait for that reload, so that our own
        // navigation below never interrupts it (a race that failed this test now and then).
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Page.Load += (_, _) => reloaded.TrySetResult();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Requeue" }).ClickAsync();
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15));

        await WaitForJobStateAsync(jobId, "Succeeded");
        await Page.GotoAsync(Host.Url($"/hangfire/jobs/details/{jobId}"));
        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync("Succeeded");
        await ScreenshotAsync("hangfire-job-detail");
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters"), Is.EqualTo("Requeued by admin"));
            Assert.That(await Db.ScalarAsync<string>("select status from messages where id = @id", new { id = message.Id }), Is.EqualTo("sent"));
            Assert.That(await Db.QueryAsync<string>("select actor || ' ' || action || ' ' || target from audit_log"),
                Is.EqualTo(new[] { $"admin hangfire.requeue job {jobId}" }));
        });
    }

    [Test]
    public async Task DeadLetter_RequeueFromOurPage_EndsLikeTheStockButton_VisibleInHangfire()
    {
        var message = await DeadLetteredSmsAsync(to: "+12125550123");
        var jobId = message.JobId!.Value;
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        var row = Page.Locator("tr[data-dead-letter]");
        await Assertions.Expect(row).ToContainTextAsync("acme-dental");
        await Assertions.Expect(row).ToContainTextAsync("adhoc");
        await Assertions.Expect(row).ToContainTextAsync("+12125550123");
        await Assertions.Expect(row).ToContainTextAsync("scripted refused (21211)");

        await row.GetByRole(AriaRole.Button, new() { Name = "Requeue" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".notice")).ToContainTextAsync($"job {jobId} runs again");

        await WaitForJobStateAsync(jobId, "Succeeded");
        await Page.GotoAsync(Host.Url($"/hangfire/jobs/details/{jobId}"));
        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync("Requeued by admin");
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters"), Is.EqualTo("Requeued by admin"));
            Assert.That(await Db.ScalarAsync<string>("select status from messages where id = @id", new { id = message.Id }), Is.EqualTo("sent"));
            Assert.That(await Db.ScalarAsync<string>("select actor || ' ' || action from audit_log"), Is.EqualTo("admin dead_letter.requeue"));
        });
    }

    [Test]
    public async Task DeadLetter_EditAndRetry_BadRecipientRefused_ThenSentToTheNewOne()
    {
        var message = await DeadLetteredSmsAsync(to: "+12125550130", body: "Hello");
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Assertions.Expect(Page.Locator("tbody tr")).ToHaveCountAsync(1);
        await ScreenshotAsync("dead-letters");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Edit & retry" }).ClickAsync();

        await Page.GetByLabel("Recipient").FillAsync("555-0100");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save and retry" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-error-for=to]")).ToHaveTextAsync("'555-0100' must start with + and the country code, such as +12125550123.");
        Assert.That(await Db.ScalarAsync<string>("select recipient from messages where id = @id", new { id = message.Id }), Is.EqualTo("+12125550130"));

        await Page.GetByLabel("Recipient").FillAsync("+1 (212) 555-0139");
        await Page.GetByLabel("Body").FillAsync("Hello again");
        await ScreenshotAsync("dead-letter-edit");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save and retry" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".notice")).ToContainTextAsync("requeued");

        await WaitForJobStateAsync(message.JobId!.Value, "Succeeded");
        var sent = Sms.Calls.Last();
        Assert.Multiple(async () =>
        {
            Assert.That(sent.To, Is.EqualTo("+12125550139"));
            Assert.That(sent.Body, Is.EqualTo("Hello again"));
            Assert.That(await Db.ScalarAsync<string>("select resolution || ' by ' || resolved_by from dead_letters"), Is.EqualTo("Requeued by admin"));
            Assert.That(await Db.ScalarAsync<string>("select before::text || ' -> ' || after::text from audit_log where action = 'message.edit'"),
                Is.EqualTo("""{"to": "+12125550130", "body": "Hello", "subject": null} -> {"to": "+12125550139", "body": "Hello again", "subject": null}"""));
        });
    }

    [Test]
    public async Task DeadLetter_EditAndRetry_SmsBodyOverTheApisLimit_RefusedUnderBody_NothingChanged()
    {
        var message = await DeadLetteredSmsAsync(to: "+12125550138", body: "Hello");
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Page.GetByRole(AriaRole.Link, new() { Name = "Edit & retry" }).ClickAsync();

        // POST /api/messages refuses an SMS body over 1600 characters; edit and retry holds to the same rule.
        await Page.GetByLabel("Body").FillAsync(new string('x', 1601));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save and retry" }).ClickAsync();

        await Assertions.Expect(Page.Locator("[data-error-for=body]")).ToHaveTextAsync("must be at most 1600 characters for SMS");
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select body from messages where id = @id", new { id = message.Id }), Is.EqualTo("Hello"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from dead_letters where resolution is null"), Is.EqualTo(1), "not requeued");
            Assert.That(await Db.ScalarAsync<long>("select count(*) from audit_log where action = 'message.edit'"), Is.Zero);
        });
    }

    [Test]
    public async Task Compose_InvalidThenValidSms_FieldErrorsThenSent()
    {
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/compose"));
        await Page.GetByLabel("To").FillAsync("not-a-number");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-error-for=to]")).ToHaveTextAsync("must start with + and the country code, such as +12125550123");
        await Assertions.Expect(Page.Locator("[data-error-for=body]")).ToHaveTextAsync("must not be empty.");
        Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.Zero);

        await Page.GetByLabel("To").FillAsync("+12125550177");
        await Page.GetByLabel("Body").FillAsync("We moved your appointment to 3 PM");
        await ScreenshotAsync("compose");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-message-body]")).ToHaveTextAsync("We moved your appointment to 3 PM");

        var id = await Db.ScalarAsync<long>("select id from messages");
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select status from messages where id = @id", new { id }), s => s == "sent");
        Assert.Multiple(async () =>
        {
            Assert.That(Sms.Calls.Single().To, Is.EqualTo("+12125550177"));
            Assert.That(await Db.ScalarAsync<string>("select actor || ' ' || action from audit_log"), Is.EqualTo("admin message.compose"));
        });
    }

    [Test]
    public async Task Messages_ScriptInNameAndBody_RendersAsText()
    {
        const string script = "<script>alert(1)</script>";
        await TestClients.CreateAsync(Host.Services, "evil-co", TestClients.Acme(c => c with { Name = script }));
        var message = await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("evil-co", "+12125550122", script);
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
        await Assertions.Expect(Page.Locator("[data-counter='message:dead_lettered']")).ToHaveTextAsync("0");
        var navigations = 0;
        Page.FrameNavigated += (_, _) => navigations++;

        await DeadLetteredSmsAsync();

        // Counted every second here (every 15 s by default) and pushed every 2 s; no reload.
        await Assertions.Expect(Page.Locator("[data-counter='message:dead_lettered']")).ToHaveTextAsync("1");
        Assert.That(navigations, Is.Zero);
    }

    [Test]
    public async Task Schedule_CancelAPlannedMessage_MessageAndJobCancelled()
    {
        var message = await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("acme-dental", "+12125550143", "Reminder: tomorrow at 10",
            NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromHours(5));
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/schedule"));
        var row = Page.Locator($"tr[data-message-id='{message.Id}']");
        await Assertions.Expect(row).ToContainTextAsync("Reminder: tomorrow at 10");

        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Assertions.Expect(Page.Locator(".notice")).ToHaveTextAsync($"Message {message.Id} to +12125550143 cancelled.");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select status from messages where id = @id", new { id = message.Id }), Is.EqualTo("cancelled"));
            Assert.That(JobState(message.JobId!.Value), Is.EqualTo("Deleted"));
            Assert.That(await Db.ScalarAsync<string>("select action || ' ' || before::text || ' ' || after::text from audit_log"),
                Is.EqualTo("""message.cancel {"status": "scheduled"} {"status": "cancelled"}"""));
        });
    }

    [Test]
    public async Task DeadLetter_Discard_ResolvedAndGoneFromTheList_JobDeleted_MessageCancelled()
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
            Assert.That(JobState(message.JobId!.Value), Is.EqualTo("Deleted"), "discard moves the job out of Failed, so no Requeue sends it");
            Assert.That(await Db.ScalarAsync<string>("select status from messages where id = @id", new { id = message.Id }), Is.EqualTo("cancelled"));
            Assert.That(await Db.ScalarAsync<string>("select action from audit_log"), Is.EqualTo("dead_letter.discard"));
        });
    }

    [Test]
    public async Task DeadLetters_RequeueAll_RequeuesOpenOnes_DiscardedStayDiscarded()
    {
        var discarded = await DeadLetteredSmsAsync(to: "+12125550131");
        var open = await DeadLetteredSmsAsync(to: "+12125550132");
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Page.Locator("tr[data-dead-letter]").Filter(new() { Has = Page.Locator($"a[href='/hangfire/jobs/details/{discarded.JobId}']") })
            .GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await Assertions.Expect(Page.Locator("tr[data-dead-letter]")).ToHaveCountAsync(1);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Requeue all" }).ClickAsync();

        await Assertions.Expect(Page.Locator("[data-bulk-finished]")).ToHaveAttributeAsync("data-bulk-finished", "true");
        await Assertions.Expect(Page.Locator(".progress")).ToContainTextAsync("1 of 1 processed");
        await WaitForJobStateAsync(open.JobId!.Value, "Succeeded");
        Assert.Multiple(async () =>
        {
            Assert.That(JobState(discarded.JobId!.Value), Is.EqualTo("Deleted"), "the discarded one is not requeued");
            Assert.That(await Db.ScalarAsync<string>("select after::text from audit_log where action = 'dead_letters.bulk_requeue'"),
                Is.EqualTo("""{"error": null, "changed": 1, "processed": 1}"""));
        });
    }

    [Test]
    public async Task Hangfire_RecurringTriggerNow_FromTheStockPage_RunsAndIsAudited()
    {
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/hangfire/recurring"));
        var row = Page.Locator("tr").Filter(new() { HasText = "reconcile-messages" });
        await row.Locator("input[type=checkbox]").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Trigger now" }).ClickAsync();

        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from reconciler_runs"), n => n >= 1, what: "the reconciler to run");
        await ScreenshotAsync("hangfire-recurring");
        Assert.That(await Db.QueryAsync<string>("select actor || ' ' || action || ' ' || target from audit_log"),
            Is.EqualTo(new[] { "admin hangfire.recurring.trigger recurring reconcile-messages" }));
    }

    [Test]
    public async Task Hangfire_DeadLettersInItsMenu_WithTheOpenCountAsBadge_LinksToOurPage()
    {
        await DeadLetteredSmsAsync(to: "+12125550131");
        await DeadLetteredSmsAsync(to: "+12125550132");
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/hangfire"));

        var item = Page.Locator(".navbar a").Filter(new() { HasText = "Dead letters" });
        await Assertions.Expect(item).ToContainTextAsync("2");
        await ScreenshotAsync("hangfire-overview");
        await item.ClickAsync();
        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("Dead letters");
        await Assertions.Expect(Page.Locator("tr[data-dead-letter]")).ToHaveCountAsync(2);
    }

    [Test]
    public async Task Hangfire_ScriptInAProvidersError_RendersAsText()
    {
        const string script = "<script>alert(1)</script>";
        var message = await DeadLetteredSmsAsync(error: script);
        var dialogs = 0;
        Page.Dialog += (_, _) => dialogs++;
        await SignInAsync();

        await Page.GotoAsync(Host.Url($"/hangfire/jobs/details/{message.JobId}"));
        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync($"scripted refused ({script})");
        var html = await Page.ContentAsync();
        Assert.Multiple(() =>
        {
            Assert.That(dialogs, Is.Zero);
            Assert.That(html, Does.Not.Contain(script));
        });
    }

    [Test]
    public async Task EveryPage_RendersForAnAdmin_Screenshots()
    {
        // Chart data: 40 messages sent in each of the last minutes, and failed attempts two days ago.
        await Db.ExecuteAsync("""
            insert into messages (client_id, kind, channel, marketing, recipient, body, scheduled_for, status, provider,
                                  sent_at, job_id, created_at, updated_at)
            select 'acme-dental', 'confirmation', 'sms', false, '+12125550111', 'seeded', t, 'sent', 'scripted', t, 0, t, t
            from (select date_trunc('minute', now()) - m * interval '1 minute' + n * interval '1 second' as t
                  from generate_series(1, 50) m, generate_series(1, 40) n) s;
            insert into message_events (message_id, at, event, detail)
            select (select min(id) from messages), date_trunc('day', now()) - interval '2 days' + n * interval '1 minute', 'attempt_failed', 'seeded'
            from generate_series(1, 7) n;
            """);
        await DeadLetteredSmsAsync();
        await RetryingSmsAsync();
        await Host.Services.GetRequiredService<IMessageClient>().SendSmsAsync("acme-dental", "+12125550143", "See you tomorrow at 10",
            NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromHours(3));
        await SignInAsync();

        foreach (var (path, name, heading) in new[]
        {
            ("/dashboard", "overview", "Overview"),
            ("/dashboard/deadletters", "dead-letters", "Dead letters"), ("/dashboard/messages?status=scheduled", "messages-scheduled", "Messages"),
            ("/dashboard/schedule", "schedule", "Schedule"), ("/dashboard/calls", "calls", "Calls"), ("/dashboard/compose", "compose", "Compose"),
            ("/dashboard/audit", "audit", "Audit log"), ("/dashboard/users", "users", "Users"),
            ("/hangfire", "hangfire-dashboard", "Overview"), ("/hangfire/jobs/scheduled", "hangfire-scheduled", "Scheduled Jobs"),
            ("/hangfire/jobs/failed", "hangfire-failed-list", "Failed Jobs"), ("/hangfire/recurring", "hangfire-recurring-list", "Recurring Jobs"),
            ("/hangfire/servers", "hangfire-servers", "Servers"),
        })
        {
            var response = await Page.GotoAsync(Host.Url(path));
            Assert.That(response!.Status, Is.EqualTo(200), path);
            await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync(heading);
            await ScreenshotAsync("page-" + name);
        }

        await Page.GotoAsync(Host.Url("/dashboard"));
        var charts = Page.Locator("svg.chart");
        await Assertions.Expect(charts.Nth(0).Locator("g title").Filter(new() { HasText = "40 sent, 0 failed attempts" })).Not.ToHaveCountAsync(0);
        await Assertions.Expect(charts.Nth(1).Locator("g title").Filter(new() { HasText = "0 sent, 7 failed attempts, 0 dead-lettered" })).ToHaveCountAsync(1);
        await Page.GotoAsync(Host.Url("/dashboard/schedule"));
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("See you tomorrow at 10");
    }
}
