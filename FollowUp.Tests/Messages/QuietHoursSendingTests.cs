using System.Globalization;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;

namespace FollowUp.Tests.Messages;

/// <summary>
/// The send job's check of quiet hours in the recipient's zones, on a real engine and PostgreSQL. The
/// sender reads the time from NodaTime.Testing's FakeClock; Hangfire runs on the real clock, so a message
/// planned for the real now is due at once, and one deferred to the fake clock's future stays Scheduled.
/// </summary>
public sealed class QuietHoursSendingTests : EngineTest
{
    private const string LosAngeles = "+13105550123";

    private ScriptedSmsProvider _sms = null!;
    private FakeClock _clock = null!;

    private static Instant At(string iso) => OffsetDateTimePattern.ExtendedIso.Parse(iso).Value.ToInstant();

    protected override bool StartsEngineInSetUp => false;

    protected override bool CreatesTestClients => false;

    private async Task StartAsync(string now)
    {
        _sms = new ScriptedSmsProvider("scripted");
        _clock = new FakeClock(At(now));
        await StartEngineAsync(null, s =>
        {
            s.AddSingleton<ISmsProvider>(_sms);
            s.AddSingleton<IClock>(_clock);
        });
        // A New York client, open all day: only the recipient's hours (the default, 08:00-21:00) can stop a send.
        await TestClients.CreateAsync(Engine.Services, settings: TestClients.Acme(c => c with { RecipientHours = RecipientHours.Default }));
    }

    /// <summary>Plans a message due at the real now and creates its job (the fake clock is not the dispatcher's to wait on).</summary>
    private async Task<long> SendAsync(string kind, string channel, string to, string? customerPhone = null)
    {
        long id;
        await using (var connection = await Db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            id = await Messages.PlanAsync(new NewMessage("acme-dental", kind, Channel.Parse(channel), to, channel == "email" ? "Hello" : null, "Hello",
                SystemClock.Instance.GetCurrentInstant()) { CustomerPhone = customerPhone ?? to }, tx);
            await tx.CommitAsync();
        }

        await Messages.DispatchAsync(new PlannedMessages([id], [id]));
        return id;
    }

    private Task<MessageInfo> WaitForAsync(long id, Func<MessageInfo, bool> done, string what) =>
        Eventually.WaitForAsync(async () => (await Messages.FindAsync(id))!, done, TimeSpan.FromSeconds(30), what);

    private async Task AssertDeferredWithoutAnAttemptAsync(long id, Instant until, string reason)
    {
        var deferred = await WaitForAsync(id, m => m.ScheduledFor == until, $"message {id} deferred to {until}");
        await HangfireProbe.WaitForStateAsync(Engine.Services, deferred.JobId!.Value, "Scheduled");
        var scheduled = Engine.History(deferred.JobId!.Value)[^1];
        using var connection = Engine.Services.GetRequiredService<JobStorage>().GetConnection();
        var retries = connection.GetJobParameter(deferred.JobId!.Value.ToString(CultureInfo.InvariantCulture), FixedRetryAttribute.RetryCountParameter);
        Assert.Multiple(() =>
        {
            Assert.That(deferred.Status, Is.EqualTo(MessageStatus.Scheduled));
            Assert.That(scheduled.Reason, Does.StartWith("Deferred without spending an attempt: " + reason));
            Assert.That(Instant.FromDateTimeUtc(Hangfire.Common.JobHelper.DeserializeDateTime(scheduled.Data["EnqueueAt"])), Is.EqualTo(until));
            Assert.That(retries, Is.Null, "no attempt spent: the retry count was never written");
        });
    }

    [Test]
    public async Task Nurture_LosAngelesNumberAt0900Eastern_DeferredTo0800Pacific_WithoutSpendingAnAttempt()
    {
        // Tuesday 2027-01-12 09:00 EST = 06:00 PST.
        await StartAsync("2027-01-12T09:00:00-05:00");

        var sms = await SendAsync(MessageKind.NurtureDay1, "sms", LosAngeles);
        // An email's zones are its customer's number's.
        var email = await SendAsync(MessageKind.NurtureDay1, "email", "ana@example.com", customerPhone: LosAngeles);

        await AssertDeferredWithoutAnAttemptAsync(sms, At("2027-01-12T08:00:00-08:00"), "outside the recipient's hours (America/Los_Angeles)");
        await AssertDeferredWithoutAnAttemptAsync(email, At("2027-01-12T08:00:00-08:00"), "outside the recipient's hours (America/Los_Angeles)");
        Assert.That(_sms.Calls, Is.Empty);
    }

    [Test]
    public async Task MissedCall_NumberInTwoZones_QuietInOne_DeferredUntilOpenInBoth()
    {
        // 04:30Z: 21:30 in Boise (quiet), 20:30 in Idaho's Pacific panhandle (open). +1 208 is in both.
        await StartAsync("2027-01-12T04:30:00Z");

        var id = await SendAsync(MessageKind.MissedCall, "sms", "+12085550123");

        await AssertDeferredWithoutAnAttemptAsync(id, At("2027-01-12T16:00:00Z"), "outside the recipient's hours (America/Boise, America/Los_Angeles)");
        Assert.That(_sms.Calls, Is.Empty);
    }

    [Test]
    public async Task InsideTheWindow_MarketingIsSent_AndAtNightTransactionalIsSentAnyway()
    {
        // 08:30 PST: the nurture goes. Then 02:00 PST: a reminder goes all the same.
        await StartAsync("2027-01-12T08:30:00-08:00");

        var nurture = await SendAsync(MessageKind.NurtureDay1, "sms", LosAngeles);
        await WaitForAsync(nurture, m => m.Status == MessageStatus.Sent, "nurture sent");
        _clock.Reset(At("2027-01-13T02:00:00-08:00"));
        var reminder = await SendAsync(MessageKind.Reminder1h, "sms", LosAngeles);

        await WaitForAsync(reminder, m => m.Status == MessageStatus.Sent, "reminder sent at 02:00 in Los Angeles");
        Assert.That(_sms.Calls.Select(c => c.To), Is.EqualTo(new[] { LosAngeles, LosAngeles }));
    }
}
