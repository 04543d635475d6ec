using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using Hangfire;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Messages;

/// <summary>The send pipeline on a real engine and PostgreSQL, providers faked at the ISmsProvider port.</summary>
public sealed class MessageSendingTests : EngineTest
{
    private ScriptedSmsProvider _primary = null!;
    private ScriptedSmsProvider _secondary = null!;

    protected override void ConfigureServices(IServiceCollection services)
    {
        _primary = new ScriptedSmsProvider("primary");
        _secondary = new ScriptedSmsProvider("secondary");
        services.AddSingleton<ISmsProvider>(_primary);
        services.AddSingleton<ISmsProvider>(_secondary);
    }

    private DeadLetters DeadLetters => Engine.Services.GetRequiredService<DeadLetters>();

    private Task<MessageInfo> WaitForStatus(long id, params string[] statuses) =>
        Eventually.WaitForAsync(async () => (await Messages.FindAsync(id))!, m => statuses.Contains(m.Status),
            TimeSpan.FromSeconds(30), $"message {id} to be {string.Join("/", statuses)}");

    private async Task<long> PlanAsync(string kind, string to = "+12125550123", Instant? at = null)
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var id = await Messages.PlanAsync(new NewMessage("acme-dental", kind, Channel.Sms, to, null, "Hello",
            at ?? SystemClock.Instance.GetCurrentInstant()), tx);
        await tx.CommitAsync();
        return id;
    }

    [Test]
    public async Task SendSms_FirstProviderAccepts_MessageSentWithItsIdAndEstimatedCost()
    {
        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Your appointment is confirmed.");

        var sent = await WaitForStatus(planned.Id, MessageStatus.Sent);
        var call = _primary.Calls.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Provider, Is.EqualTo("primary"));
            Assert.That(sent.ProviderMessageId, Does.StartWith("primary-"));
            Assert.That(sent.Cost, Is.EqualTo(0.0083m), "one segment at the configured estimate");
            Assert.That(sent.Currency, Is.EqualTo("USD"));
            Assert.That(call.To, Is.EqualTo("+12125550123"));
            Assert.That(call.From, Is.EqualTo("+12125550100"), "the client's sender");
            Assert.That(_secondary.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task TransientFailure_FailsOverToTheNextProvider_AndRecordsIt()
    {
        _primary.ThenFail(SendFailureKind.Transient, "429");

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");

        var sent = await WaitForStatus(planned.Id, MessageStatus.Sent);
        var events = await Db.QueryAsync<string>("select event || ': ' || detail from message_events where message_id = @id", new { id = planned.Id });
        Assert.Multiple(() =>
        {
            Assert.That(sent.Provider, Is.EqualTo("secondary"));
            Assert.That(events, Has.Exactly(1).StartsWith("failover: primary"));
        });
    }

    [Test]
    public async Task PermanentFailure_NoFailover_MessageAndJobDeadLettered_RequeueSendsIt()
    {
        _primary.ThenFail(SendFailureKind.Permanent, "21211");

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");

        var dead = await WaitForStatus(planned.Id, MessageStatus.DeadLettered);
        await HangfireProbe.WaitForStateAsync(Engine.Services, dead.JobId!.Value, "Failed");
        Assert.Multiple(() =>
        {
            Assert.That(_secondary.Calls, Is.Empty, "a recipient error is not failed over");
            Assert.That(_primary.Calls, Has.Count.EqualTo(1), "and not retried");
            Assert.That(dead.Error, Does.Contain("21211"));
        });

        Assert.That(DeadLetters.RequeueJob(dead.JobId!.Value, "support"), Is.True);
        var sent = await WaitForStatus(planned.Id, MessageStatus.Sent);
        Assert.That(sent.Provider, Is.EqualTo("primary"));
    }

    [Test]
    public async Task TransientFailureEverywhere_RetriedThreeTimes_ThenDeadLettered()
    {
        _primary.Otherwise = _ => throw new ProviderSendException("primary", SendFailureKind.Transient, "429", "429");
        _secondary.Otherwise = _ => throw new ProviderSendException("secondary", SendFailureKind.Transient, "timeout", "timeout");

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");

        var dead = await WaitForStatus(planned.Id, MessageStatus.DeadLettered);
        var possiblySent = await Db.ScalarAsync<long>("select count(*) from message_events where message_id = @id and event = 'possibly_sent'", new { id = planned.Id });
        Assert.Multiple(() =>
        {
            Assert.That(_primary.Calls, Has.Count.EqualTo(3));
            Assert.That(_secondary.Calls, Has.Count.EqualTo(3));
            Assert.That(dead.Error, Does.Contain("secondary"));
            Assert.That(possiblySent, Is.Zero, "the last provider's timeout said nothing was sent");
        });
    }

    [Test]
    public async Task OptedOutRecipient_IsSkippedWithTheReason_NothingSent()
    {
        await Db.ExecuteAsync("insert into suppressions (client_id, channel, address, reason, created_at) values ('acme-dental', 'sms', '+12125550123', 'STOP', now())");

        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");

        var skipped = await WaitForStatus(planned.Id, MessageStatus.Skipped);
        Assert.Multiple(() =>
        {
            Assert.That(skipped.SkipReason, Is.EqualTo("opted out"));
            Assert.That(_primary.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task Marketing_OverTheDailyLimit_IsSkipped_TransactionalIsExempt()
    {
        await TestClients.CreateAsync(Engine.Services, settings: TestClients.Acme(c => c with { DailyLimitPerRecipient = 1 }));

        var first = await PlanAsync(MessageKind.NurtureDay1);
        await WaitForStatus(first, MessageStatus.Sent);
        var second = await PlanAsync(MessageKind.NurtureDay4);
        var reminder = await PlanAsync(MessageKind.Reminder1h);

        var skipped = await WaitForStatus(second, MessageStatus.Skipped);
        await WaitForStatus(reminder, MessageStatus.Sent);
        Assert.That(skipped.SkipReason, Is.EqualTo("daily limit"));
    }

    [Test]
    public async Task Marketing_OutsideBusinessHours_IsDeferredToTheNextOpening_WithoutSpendingAnAttempt()
    {
        // Closed today and tomorrow (local), open all day otherwise: the next opening is local midnight in two days.
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        var today = SystemClock.Instance.GetCurrentInstant().InZone(zone).Date;
        await TestClients.CreateAsync(Engine.Services, settings: TestClients.Acme(c => c with
        {
            ClosedDates = [today.ToString("yyyy-MM-dd", null), today.PlusDays(1).ToString("yyyy-MM-dd", null)],
        }));
        var opening = today.PlusDays(2).AtStartOfDayInZone(zone).ToInstant();

        var id = await PlanAsync(MessageKind.NurtureDay1);

        var deferred = await Eventually.WaitForAsync(async () => (await Messages.FindAsync(id))!, m => m.ScheduledFor == opening, what: "deferral");
        await HangfireProbe.WaitForStateAsync(Engine.Services, deferred.JobId!.Value, "Scheduled");
        var scheduled = Engine.History(deferred.JobId!.Value)[^1];
        using var connection = Engine.Services.GetRequiredService<JobStorage>().GetConnection();
        var retries = connection.GetJobParameter(deferred.JobId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), FixedRetryAttribute.RetryCountParameter);
        Assert.Multiple(() =>
        {
            Assert.That(deferred.Status, Is.EqualTo(MessageStatus.Scheduled));
            Assert.That(scheduled.Reason, Does.StartWith("Deferred without spending an attempt"));
            Assert.That(Instant.FromDateTimeUtc(Hangfire.Common.JobHelper.DeserializeDateTime(scheduled.Data["EnqueueAt"])), Is.EqualTo(opening));
            Assert.That(retries, Is.Null, "no attempt spent: the retry count was never written");
            Assert.That(_primary.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task PlanAsync_KeepsTheSkipReasonAppointmentAndCustomerPhone_AsPlanManyDoes()
    {
        long scheduled, skipped;
        await using (var connection = await Db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            var later = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(1);
            scheduled = await Messages.PlanAsync(new NewMessage("acme-dental", MessageKind.NurtureDay1, Channel.Email, "ana@example.com", "Hi", "Hello", later)
            {
                AppointmentId = "apt_9", CustomerPhone = "+12125550123",
            }, tx);
            skipped = await Messages.PlanAsync(new NewMessage("acme-dental", MessageKind.NurtureDay1, Channel.Email, "", "Hi", "Hello", later)
            {
                SkipReason = "no email address",
            }, tx);
            await tx.CommitAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select status || ' ' || appointment_id || ' ' || customer_phone from messages where id = @scheduled", new { scheduled }),
                Is.EqualTo("scheduled apt_9 +12125550123"));
            Assert.That(await Db.ScalarAsync<string>("select status || ': ' || skip_reason from messages where id = @skipped", new { skipped }),
                Is.EqualTo("skipped: no email address"));
        });
    }

    [Test]
    public async Task EditAsync_BreaksTheApisRules_RefusedNamingTheField_NothingChanged()
    {
        var later = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(1);
        var sms = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi", later);
        var email = await Messages.SendEmailAsync("acme-dental", "ana@example.com", "Receipt", "Thanks", later);

        Assert.Multiple(async () =>
        {
            // The API's own limits (POST /api/messages): an SMS body of at most 1600 characters, a subject on one line.
            Assert.That(() => Messages.EditAsync(sms.Id, new MessageEdit(Body: new string('x', 1601)), "support-ana"),
                Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("body")
                    .And.Message.Contains("must be at most 1600 characters for SMS"));
            Assert.That(() => Messages.EditAsync(email.Id, new MessageEdit(Subject: "Receipt\r\nBcc: everyone@example.com"), "support-ana"),
                Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("subject")
                    .And.Message.Contains("must be one line (no CR or LF)"));
            Assert.That(() => Messages.EditAsync(email.Id, new MessageEdit(Subject: new string('s', 999)), "support-ana"),
                Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("subject"));
            Assert.That((await Messages.FindAsync(sms.Id))!.Body, Is.EqualTo("Hi"));
            Assert.That((await Messages.FindAsync(email.Id))!.Subject, Is.EqualTo("Receipt"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from message_events where event = 'edited'"), Is.Zero);
        });
    }

    [Test]
    public async Task SendSmsAndEdit_NumbersStoredAsE164_InvalidOnesRefusedWithTheReason()
    {
        var later = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(1);
        var planned = await Messages.SendSmsAsync("acme-dental", "+1 (212) 555-0123", "Hi", later);

        var edited = await Messages.EditAsync(planned.Id, new MessageEdit(Recipient: "+1 310-555-0123"), "support-ana");

        Assert.Multiple(async () =>
        {
            Assert.That(planned.Recipient, Is.EqualTo("+12125550123"));
            Assert.That(edited, Is.True);
            Assert.That((await Messages.FindAsync(planned.Id))!.Recipient, Is.EqualTo("+13105550123"));
            Assert.That(() => Messages.EditAsync(planned.Id, new MessageEdit(Recipient: "+15551234567"), "support-ana"),
                Throws.ArgumentException.With.Message.Contains("'+15551234567' is not a valid number for region US"));
            Assert.That(() => Messages.SendSmsAsync("acme-dental", "2125550123", "Hi"),
                Throws.ArgumentException.With.Message.Contains("must start with + and the country code"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RescuedAttempt_FindingTheMessageSent_DoesNotSendAgain()
    {
        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");
        var sent = await WaitForStatus(planned.Id, MessageStatus.Sent);
        await HangfireProbe.WaitForStateAsync(Engine.Services, sent.JobId!.Value, "Succeeded");

        // The job runs again (as after a crash before its success was stored).
        Assert.That(DeadLetters.RequeueJob(sent.JobId!.Value, "test"), Is.True);
        await Eventually.WaitForAsync(() => Task.FromResult(Engine.History(sent.JobId!.Value).Count(h => h.StateName == "Succeeded")), n => n == 2);

        Assert.That(_primary.Calls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AttemptFindingTheMessageSending_RecordsPossiblySent_AndSendsAgain()
    {
        var id = await PlanAsync(MessageKind.Reminder1h, at: SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1));
        // As if an attempt died after marking "sending", before the provider's answer was stored.
        var jobId = (await Eventually.WaitForAsync(async () => (await Messages.FindAsync(id))!, m => m.JobId is not null, what: "dispatch")).JobId!.Value;
        await Db.ExecuteAsync("update messages set status = 'sending' where id = @id", new { id });
        Engine.Jobs.Requeue(jobId.ToString(System.Globalization.CultureInfo.InvariantCulture)); // due now

        await WaitForStatus(id, MessageStatus.Sent);
        var events = await Db.QueryAsync<string>("select event from message_events where message_id = @id", new { id });
        Assert.Multiple(() =>
        {
            Assert.That(events, Does.Contain("possibly_sent"));
            Assert.That(_primary.Calls, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task DeadLetteredForABadNumber_EditedThenRequeued_GoesToTheNewNumber_EditRecorded()
    {
        _primary.ThenFail(SendFailureKind.Permanent, "21211");
        var planned = await Messages.SendSmsAsync("acme-dental", "+12125550101", "Hi");
        var dead = await WaitForStatus(planned.Id, MessageStatus.DeadLettered);
        await HangfireProbe.WaitForStateAsync(Engine.Services, dead.JobId!.Value, "Failed");

        var edited = await Messages.EditAsync(planned.Id, new MessageEdit(Recipient: "+12125550123", Body: "Hi again"), "support-ana");
        Assert.That(DeadLetters.RequeueJob(dead.JobId!.Value, "support-ana"), Is.True);
        await WaitForStatus(planned.Id, MessageStatus.Sent);

        var last = _primary.Calls.Last();
        var events = await Db.QueryAsync<string>("select detail from message_events where message_id = @id and event = 'edited'", new { id = planned.Id });
        Assert.Multiple(async () =>
        {
            Assert.That(edited, Is.True);
            Assert.That(last.To, Is.EqualTo("+12125550123"));
            Assert.That(last.Body, Is.EqualTo("Hi again"));
            Assert.That(events.Single(), Does.Contain("by support-ana").And.Contain("to=+12125550101"));
            Assert.That(await Messages.EditAsync(planned.Id, new MessageEdit(Body: "too late"), "x"), Is.False, "a sent message cannot be edited");
            Assert.ThrowsAsync<ArgumentException>(() => Messages.EditAsync(planned.Id, new MessageEdit(Recipient: "555-1234"), "x"));
        });
    }
}
