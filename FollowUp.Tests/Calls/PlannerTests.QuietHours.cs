using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Tests.Calls;

/// <summary>The planner's marketing times against quiet hours in the recipient's zone, on top of business hours.</summary>
public sealed partial class PlannerTests
{
    // Quiet hours in the recipient's zone (default 08:00-21:00 there), on top of business hours.
    private const string LosAngeles = "+13105550123";

    private static ClientSettings QuietHoursClient(Dictionary<string, IReadOnlyList<string>>? hours = null, IReadOnlyList<string>? window = null) =>
        Client(change: c => c with
        {
            BusinessHours = hours ?? TestClients.AlwaysOpen, RecipientHours = window ?? RecipientHours.Default, MissedCallTextBack = true,
        });

    [Test]
    public void Plan_NotBooked_NewYorkClientLosAngelesNumber_NurtureDueAt0900EasternWaitsUntil0800Pacific()
    {
        // The call ended Monday 2027-01-11 09:00 EST; day 1 is Tuesday 09:00 EST (14:00Z), inside New York's
        // business hours but 06:00 in Los Angeles. It goes at 08:00 PST (16:00Z, 11:00 EST), SMS and email alike.
        var client = QuietHoursClient(WeekdaysNineToFive);
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2027-01-11T09:00:00-05:00", phone: LosAngeles), client, At("2027-01-11T14:01:00Z"));
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2027-01-12T08:00:00-08:00")));
            Assert.That(Email(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2027-01-12T08:00:00-08:00")));
            Assert.That(Sms(plan, MessageKind.NurtureDay4).ScheduledFor, Is.EqualTo(At("2027-01-15T08:00:00-08:00")));
            Assert.That(plan.Messages.Select(m => m.SkipReason), Is.All.Null);
        });
    }

    [Test]
    public void Plan_NotBooked_NewYorkNumber_NurtureAtTheCallsLocalTime()
    {
        // The same call from a New York number: 09:00 EST is inside both windows, so nothing moves.
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2027-01-11T09:00:00-05:00"), QuietHoursClient(WeekdaysNineToFive),
            At("2027-01-11T14:01:00Z"));
        Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2027-01-12T09:00:00-05:00")));
    }

    [Test]
    public void Plan_NotBooked_RecipientOpensAfterTheBusinessCloses_MovesToTheNextDayBothAreOpen()
    {
        // Day 1 is Tuesday 09:00 EST. On Tuesdays the business is open 09:00-10:00 EST (14:00Z-15:00Z), which is
        // 06:00-07:00 in Los Angeles: nothing fits, so it moves on to the next day both are open.
        var early = new Dictionary<string, IReadOnlyList<string>> { ["tue"] = ["09:00", "10:00"], ["wed"] = ["09:00", "12:00"] };
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2027-01-11T09:00:00-05:00", phone: LosAngeles), QuietHoursClient(early),
            At("2027-01-11T14:01:00Z"));
        Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2027-01-13T08:00:00-08:00")),
            "Wednesday, open until 12:00 EST, meets Los Angeles' 08:00 at 11:00 EST");
    }

    [Test]
    public void Plan_NoAnswer_NumberInTwoZones_TextBackWaitsUntilOpenInBoth()
    {
        // +1 208 (Idaho) is in America/Boise and America/Los_Angeles. At 04:30Z it is 21:30 in Boise (quiet)
        // and 20:30 in the panhandle (open): it waits for 08:00 PST (09:00 MST) = 16:00Z. Boise alone would
        // say 15:00Z; Los Angeles alone, now.
        var plan = Planner.Plan(Call(CallOutcome.NoAnswer, phone: "+12085550123"), QuietHoursClient(), At("2027-01-12T04:30:00Z"));
        Assert.That(Sms(plan, MessageKind.MissedCall).ScheduledFor, Is.EqualTo(At("2027-01-12T16:00:00Z")));
    }

    [Test]
    public void Plan_NotBooked_NewYorkSpringForward_NurtureAt0800PacificDaylightTime()
    {
        // 2027-03-14: America/New_York springs forward at 02:00 EST (07:00Z), America/Los_Angeles at 02:00 PST
        // (10:00Z). Day 1 of a call at 07:30 EST on the 13th is 07:30 EDT (11:30Z), 04:30 PDT in Los Angeles:
        // it waits for 08:00 PDT = 15:00Z (16:00Z had the offset not changed).
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2027-03-13T07:30:00-05:00", phone: LosAngeles), QuietHoursClient(),
            At("2027-03-13T12:31:00Z"));
        Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2027-03-14T15:00:00Z")));
    }

    [Test]
    public void Plan_NotBooked_NewYorkFallBack_NurtureAt0800PacificStandardTime()
    {
        // 2027-11-07: America/New_York falls back at 02:00 EDT (06:00Z), America/Los_Angeles at 02:00 PDT
        // (09:00Z). Day 1 of a call at 07:30 EDT on the 6th is 07:30 EST (12:30Z), 04:30 PST: it waits for
        // 08:00 PST = 16:00Z.
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2027-11-06T07:30:00-04:00", phone: LosAngeles), QuietHoursClient(),
            At("2027-11-06T11:31:00Z"));
        Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2027-11-07T16:00:00Z")));
    }

    [Test]
    public void Plan_NoAnswer_WindowOpeningInTheSpringForwardGap_TextBackAt0330Daylight()
    {
        // America/New_York springs forward 2027-03-14 02:00 EST → 03:00 EDT; a window opening at 02:30 opens
        // that day at 03:30 EDT (07:30Z), shifted forward by the gap.
        var plan = Planner.Plan(Call(CallOutcome.NoAnswer), QuietHoursClient(window: ["02:30", "21:00"]), At("2027-03-14T01:45:00-05:00"));
        Assert.That(Sms(plan, MessageKind.MissedCall).ScheduledFor, Is.EqualTo(At("2027-03-14T03:30:00-04:00")));
    }

    [Test]
    public void Plan_Booked_LosAngelesNumberAtNight_TransactionalKindsIgnoreQuietHours()
    {
        // 02:00 PST: the confirmation goes now and the reminders keep their times.
        var now = At("2027-01-12T02:00:00-08:00");
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2027-01-13T03:00:00-08:00", phone: LosAngeles), QuietHoursClient(), now);
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.Confirmation).ScheduledFor, Is.EqualTo(now));
            Assert.That(Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(At("2027-01-12T03:00:00-08:00")));
            Assert.That(Sms(plan, MessageKind.Reminder1h).ScheduledFor, Is.EqualTo(At("2027-01-13T02:00:00-08:00")));
        });
    }

    [Test]
    public void Plan_NotBooked_BusinessNeverOpenWhileTheRecipientIs_RecordedSkipped()
    {
        // A New York office open 09:00-17:00 EST (14:00Z-22:00Z) and a Guam number (UTC+10: 08:00-21:00 is
        // 22:00Z-11:00Z): the business closes the moment the recipient's window opens, every day.
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2027-01-11T09:00:00-05:00", phone: "+16715550123"),
            QuietHoursClient(WeekdaysNineToFive), At("2027-01-11T14:01:00Z"));
        Assert.That(plan.Messages.Select(m => m.SkipReason), Is.All.EqualTo(SkipReasons.NoHoursInRecipientsWindow));
    }
}
