using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Alerts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>Dead letters past the threshold: a banner on every page and one message to the contacts, rate-limited.</summary>
public sealed class AlertTests : BrowserTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["FollowUp:Dashboard:Alerts:DeadLetterThreshold"] = "2";
        settings["FollowUp:Dashboard:Alerts:WindowMinutes"] = "15";
        settings["FollowUp:Dashboard:Alerts:CheckSeconds"] = "1";
        settings["FollowUp:Dashboard:Alerts:MinutesBetweenMessages"] = "60";
        settings["FollowUp:Dashboard:Alerts:ClientId"] = "acme-dental";
        settings["FollowUp:Dashboard:Alerts:Contacts:0"] = "+12125550109";
        settings["FollowUp:Dashboard:Alerts:Contacts:1"] = "ops@acme.example";
        settings["FollowUp:Dashboard:Alerts:UndeliveredRatePercent"] = "25";
        settings["FollowUp:Dashboard:Alerts:UndeliveredMinimum"] = "4";
        settings["FollowUp:Dashboard:Alerts:UndeliveredWindowMinutes"] = "60";
    }

    [Test]
    public async Task DeadLettersPastThreshold_BannerOnEveryPage_OneMessagePerContactOnly()
    {
        var monitor = Host.Services.GetRequiredService<AlertMonitor>();
        await DeadLetteredSmsAsync(to: "+12125550131");
        Assert.That(await monitor.CheckAsync(CancellationToken.None), Is.Empty, "one dead letter is below the threshold of 2");

        await DeadLetteredSmsAsync(to: "+12125550132");
        var alerts = await monitor.CheckAsync(CancellationToken.None);
        await monitor.CheckAsync(CancellationToken.None);
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/messages"));

        await Assertions.Expect(Page.Locator(".alerts")).ToHaveTextAsync("2 jobs dead-lettered in the last 15 minutes (threshold 2).");
        await ScreenshotAsync("alert-banner");
        var planned = await Db.QueryAsync<string>("select recipient from messages where body like 'FollowUp alert:%' order by recipient");
        Assert.Multiple(() =>
        {
            Assert.That(alerts, Is.EqualTo(new[] { "2 jobs dead-lettered in the last 15 minutes (threshold 2)." }));
            Assert.That(planned, Is.EqualTo(new[] { "+12125550109", "ops@acme.example" }), "one message per contact, however many checks ran");
        });
    }

    [Test]
    public async Task FailoversOfOneProviderPastThreshold_NamedInTheAlert_OtherProvidersNot()
    {
        var message = await Host.Services.GetRequiredService<FollowUp.Jobs.Messages.IMessageClient>()
            .SendSmsAsync("acme-dental", "+12125550133", "x", NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromDays(1));
        // As the sender records them (MessageStore.AddFailoverAsync): the provider in its column; 5 is the default threshold.
        await Db.ExecuteAsync("""
            insert into message_events (message_id, at, event, provider, detail)
            select @id, now(), 'failover', p, p || ': refused (503)' from unnest(array['twilio', 'twilio', 'twilio', 'twilio', 'twilio', 'smtp']) p
            """, new { id = message.Id });

        var alerts = await Host.Services.GetRequiredService<AlertMonitor>().CheckAsync(CancellationToken.None);

        Assert.That(alerts, Is.EqualTo(new[] { "Provider twilio failed over 5 times in the last 15 minutes (threshold 5)." }));
    }

    [Test]
    public async Task FailedCallWebhooksPastThreshold_RaiseAnAlert()
    {
        // As CallIntake leaves them when processing fails; 3 is the default threshold.
        await Db.ExecuteAsync("""
            insert into inbound_webhooks (source, client_id, event_id, raw_body, status, attempts, error, received_at)
            select 'followup', 'acme-dental', 'evt_' || n, '{}', 'failed', 1, 'NpgsqlException: boom', now() from generate_series(1, 3) n
            """);

        var alerts = await Host.Services.GetRequiredService<AlertMonitor>().CheckAsync(CancellationToken.None);

        Assert.That(alerts, Is.EqualTo(new[] { "3 call webhooks failed processing and wait for a retry or a replay (threshold 3)." }));
    }

    [Test]
    public async Task AClientsUndeliveredRatePastThreshold_BannerNamesThatClient_BelowTheMinimumOrOutsideTheWindowNot()
    {
        await TestClients.CreateAsync(Host.Services, "beta-dental");
        await TestClients.CreateAsync(Host.Services, "gamma-dental");
        // As the sender and the delivery callbacks leave them. acme-dental: 1 of 4 undelivered in the window (25 %: the
        // threshold), and an undelivered one sent two hours ago; beta-dental: 1 of 5 (20 %); gamma-dental: 2 of 2, below the minimum of 4.
        await Db.ExecuteAsync("""
            insert into messages (client_id, kind, channel, marketing, recipient, body, scheduled_for, status, provider, error, sent_at, created_at, updated_at)
            select c, 'reminder_24h', 'sms', false, '+12125550140', 'x', t, s, 'twilio', case when s <> 'delivered' then 'Twilio error 30003' end, t, t, t
            from (values ('acme-dental', 'delivered', now() - interval '5 minutes'), ('acme-dental', 'delivered', now()), ('acme-dental', 'failed', now()),
                         ('acme-dental', 'delivered', now()), ('acme-dental', 'undelivered', now() - interval '2 hours'), ('acme-dental', 'sent', now()),
                         ('beta-dental', 'undelivered', now()), ('beta-dental', 'delivered', now()), ('beta-dental', 'delivered', now()),
                         ('beta-dental', 'delivered', now()), ('beta-dental', 'delivered', now()),
                         ('gamma-dental', 'undelivered', now()), ('gamma-dental', 'failed', now())) v (c, s, t)
            """);

        var alerts = await Host.Services.GetRequiredService<AlertMonitor>().CheckAsync(CancellationToken.None);
        await SignInAsync();
        await Page.GotoAsync(Host.Url("/dashboard/analytics"));

        const string expected = "Client acme-dental: 1 of 4 messages sent in the last 60 minutes undelivered or failed (25 %, threshold 25 %).";
        Assert.That(alerts, Is.EqualTo(new[] { expected }));
        await Assertions.Expect(Page.Locator(".alerts")).ToHaveTextAsync(expected);
        var planned = await Db.QueryAsync<string>("select recipient from messages where body like 'FollowUp alert:%' order by recipient");
        Assert.That(planned, Is.EqualTo(new[] { "+12125550109", "ops@acme.example" }), "the contacts are told");
    }
}
