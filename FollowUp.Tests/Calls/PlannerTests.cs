using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Contracts;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using NodaTime;
using NodaTime.Text;
using FollowUp.Jobs.Templates;

namespace FollowUp.Tests.Calls;

/// <summary>The planner against the timing table (docs/ARCHITECTURE.md), in real IANA zones across DST changes.</summary>
public sealed partial class PlannerTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> WeekdaysNineToFive = new()
    {
        ["mon"] = ["09:00", "17:00"], ["tue"] = ["09:00", "17:00"], ["wed"] = ["09:00", "17:00"],
        ["thu"] = ["09:00", "17:00"], ["fri"] = ["09:00", "17:00"],
    };

    private static Instant At(string iso) => OffsetDateTimePattern.ExtendedIso.Parse(iso).Value.ToInstant();

    private static ClientSettings Client(string zone = "America/New_York", Func<ClientSettings, ClientSettings>? change = null) =>
        TestClients.Acme(c => (change ?? (x => x))(c with { TimeZone = zone }));

    // The planner takes a call as the domain reads it: parsed once from the event the webhook would post.
    private static Call Call(string outcome, string? startsAt = null, string occurredAt = "2026-11-22T15:04:05Z", string? email = "ana@example.com",
        string phone = "+12125550123") => Jobs.Calls.Call.From(new CallEvent
    {
        EventId = "evt_1", Event = "call_ended", ClientId = "acme-dental", CallId = "call_1", OccurredAt = occurredAt, Outcome = outcome,
        Customer = new CallCustomer { Name = "Ana Diaz", Phone = phone, Email = email },
        Appointment = startsAt is null ? null : new CallAppointment { Id = "apt_9", StartsAt = startsAt, Service = "Cleaning" },
    });

    private static PlannedMessage Sms(FollowUpPlan plan, string kind) => plan.Messages.Single(m => m.Kind == kind && m.Channel == Channel.Sms);

    private static PlannedMessage Email(FollowUpPlan plan, string kind) => plan.Messages.Single(m => m.Kind == kind && m.Channel == Channel.Email);

    [Test]
    public void Plan_Booked_ConfirmationNow_Reminders24hAnd1h_BySmsAndEmail()
    {
        var now = At("2026-11-22T15:04:05Z");
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00"), Client(), now);

        Assert.Multiple(() =>
        {
            Assert.That(plan.Messages.Select(m => (m.Kind, m.Channel.Name)), Is.EqualTo(new[]
            {
                ("confirmation", "sms"), ("confirmation", "email"), ("reminder_24h", "sms"), ("reminder_24h", "email"),
                ("reminder_1h", "sms"), ("reminder_1h", "email"),
            }));
            Assert.That(Sms(plan, MessageKind.Confirmation).ScheduledFor, Is.EqualTo(now));
            Assert.That(Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(At("2026-11-24T19:00:00Z")));
            Assert.That(Sms(plan, MessageKind.Reminder1h).ScheduledFor, Is.EqualTo(At("2026-11-25T18:00:00Z")));
            Assert.That(plan.Messages.Select(m => m.SkipReason), Is.All.Null);
            Assert.That(Sms(plan, MessageKind.Confirmation).Body, Does.Contain("Wednesday, November 25 at 2:00 PM"));
            Assert.That(Sms(plan, MessageKind.Confirmation).Body, Does.StartWith("Hi Ana,"));
            Assert.That(Sms(plan, MessageKind.Confirmation).Body, Does.Not.Contain("STOP"), "transactional: no opt-out line");
            Assert.That(Email(plan, MessageKind.Confirmation).Recipient, Is.EqualTo("ana@example.com"));
            Assert.That(Email(plan, MessageKind.Confirmation).Subject, Is.EqualTo("Your Cleaning at Acme Dental is booked"));
            Assert.That(plan.CancelNurture, Is.True);
            Assert.That(plan.CancelRemindersOf, Is.EqualTo("apt_9"));
        });
    }

    [Test]
    public void Plan_AppointmentTimeForPeople_IsInTheClientsZone_NotTheOffsetSent()
    {
        // 19:00Z sent with a UTC offset is 2:00 PM in New York.
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T19:00:00Z"), Client(), At("2026-11-22T15:00:00Z"));
        Assert.That(Sms(plan, MessageKind.Confirmation).Body, Does.Contain("Wednesday, November 25 at 2:00 PM"));
    }

    [Test]
    public void Plan_Reminder24h_NewYorkSpringForward_IsSameWallClock23HoursBefore()
    {
        // America/New_York springs forward 2027-03-14 02:00 EST → 03:00 EDT. 10:00 EDT on the 14th,
        // one calendar day earlier, is 10:00 EST on the 13th: 23 real hours before.
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2027-03-14T10:00:00-04:00"), Client(), At("2027-03-01T12:00:00Z"));
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(At("2027-03-13T10:00:00-05:00")));
            Assert.That(At("2027-03-14T10:00:00-04:00") - Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(Duration.FromHours(23)));
            Assert.That(Sms(plan, MessageKind.Reminder1h).ScheduledFor, Is.EqualTo(At("2027-03-14T09:00:00-04:00")));
        });
    }

    [Test]
    public void Plan_Reminder24h_NewYorkFallBack_Is25HoursBefore()
    {
        // America/New_York falls back 2027-11-07 02:00 EDT → 01:00 EST: 10:00 EST on the 7th, a day
        // earlier is 10:00 EDT on the 6th, 25 real hours before.
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2027-11-07T10:00:00-05:00"), Client(), At("2027-11-01T12:00:00Z"));
        Assert.That(At("2027-11-07T10:00:00-05:00") - Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(Duration.FromHours(25)));
    }

    [Test]
    public void Plan_Reminder24h_DayEarlierFallsInNewYorkGap_ShiftsForwardLeniently()
    {
        // The appointment is 02:30 EDT on 2027-03-15; 02:30 on the 14th does not exist (the gap), so the
        // reminder goes at 03:30 EDT, shifted forward by the gap's hour, still before the appointment.
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2027-03-15T02:30:00-04:00"), Client(), At("2027-03-01T12:00:00Z"));
        Assert.That(Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(At("2027-03-14T03:30:00-04:00")));
    }

    [Test]
    public void Plan_AppointmentInsideTheGapItself_RemindersAreBeforeIt()
    {
        // An appointment sent as 02:30 EST on 2027-03-14 is the instant 07:30Z (03:30 EDT, the wall clock
        // having skipped 02:00-03:00). Its reminders: 03:30 EST the day before, and 06:30Z.
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2027-03-14T02:30:00-05:00"), Client(), At("2027-03-01T12:00:00Z"));
        var appointment = At("2027-03-14T07:30:00Z");
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(At("2027-03-13T03:30:00-05:00")));
            Assert.That(Sms(plan, MessageKind.Reminder1h).ScheduledFor, Is.EqualTo(At("2027-03-14T06:30:00Z")));
            Assert.That(plan.Messages.Where(m => m.Kind.StartsWith("reminder", StringComparison.Ordinal)).Select(m => m.ScheduledFor),
                Is.All.LessThan(appointment));
            Assert.That(Sms(plan, MessageKind.Confirmation).Body, Does.Contain("Sunday, March 14 at 3:30 AM"));
        });
    }

    [Test]
    public void Plan_Reminder24h_LondonSpringForward_Is23HoursBefore()
    {
        // Europe/London: BST begins 2027-03-28 01:00 GMT. 09:00 BST on the 28th ← 09:00 GMT on the 27th.
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2027-03-28T09:00:00+01:00"), Client("Europe/London"), At("2027-03-01T12:00:00Z"));
        Assert.That(Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(At("2027-03-27T09:00:00Z")));
    }

    [Test]
    public void Plan_Reminder24h_LordHoweHalfHourGap_ShiftsForwardByThirtyMinutes()
    {
        // Australia/Lord_Howe moves 30 minutes: 2027-10-03 02:00 (+10:30) → 02:30 (+11:00). An appointment
        // at 02:15 on the 4th puts its reminder at 02:15 on the 3rd, inside the gap: 02:45 (+11:00).
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2027-10-04T02:15:00+11:00"), Client("Australia/Lord_Howe"), At("2027-09-01T00:00:00Z"));
        var reminder = Sms(plan, MessageKind.Reminder24h).ScheduledFor;
        Assert.Multiple(() =>
        {
            Assert.That(reminder, Is.EqualTo(At("2027-10-03T02:45:00+11:00")));
            Assert.That(At("2027-10-04T02:15:00+11:00") - reminder, Is.EqualTo(Duration.FromMinutes(23 * 60 + 30)));
        });
    }

    [Test]
    public void Plan_AppointmentInThreeHours_No24hReminder_RecordedSkipped()
    {
        var now = At("2026-11-25T16:00:00Z");
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00"), Client(), now);
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.Reminder24h).SkipReason, Is.EqualTo(SkipReasons.AlreadyPast));
            Assert.That(Email(plan, MessageKind.Reminder24h).SkipReason, Is.EqualTo(SkipReasons.AlreadyPast));
            Assert.That(Sms(plan, MessageKind.Reminder1h).SkipReason, Is.Null);
            Assert.That(Sms(plan, MessageKind.Reminder1h).ScheduledFor, Is.EqualTo(At("2026-11-25T18:00:00Z")));
        });
    }

    [Test]
    public void Plan_AppointmentInThirtyMinutes_BothRemindersSkipped()
    {
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00"), Client(), At("2026-11-25T18:30:00Z"));
        Assert.That(plan.Messages.Where(m => m.Kind != MessageKind.Confirmation).Select(m => m.SkipReason), Is.All.EqualTo(SkipReasons.AlreadyPast));
    }

    [Test]
    public void Plan_NotBooked_FridayEveningCall_NurtureAtMondayAndWednesdayOpening()
    {
        // Friday 2026-11-20 18:30 EST. Day 1 is Saturday 18:30 (closed) → Monday 09:00; day 4 is
        // Tuesday 18:30 (after closing) → Wednesday 09:00.
        var client = Client(change: c => c with { BusinessHours = WeekdaysNineToFive });
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2026-11-20T18:30:00-05:00"), client, At("2026-11-20T23:31:00Z"));
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2026-11-23T09:00:00-05:00")));
            Assert.That(Sms(plan, MessageKind.NurtureDay4).ScheduledFor, Is.EqualTo(At("2026-11-25T09:00:00-05:00")));
            Assert.That(Sms(plan, MessageKind.NurtureDay1).Body, Does.EndWith("\n" + MessageTemplate.OptOutSuffix));
            Assert.That(plan.CancelNurture, Is.False);
            Assert.That(plan.CancelRemindersOf, Is.Null);
        });
    }

    [Test]
    public void Plan_NotBooked_InsideHours_ExactlyOneAndFourCalendarDaysLater()
    {
        var client = Client(change: c => c with { BusinessHours = WeekdaysNineToFive });
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2026-11-16T10:15:00-05:00"), client, At("2026-11-16T15:16:00Z"));
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2026-11-17T10:15:00-05:00")));
            Assert.That(Sms(plan, MessageKind.NurtureDay4).ScheduledFor, Is.EqualTo(At("2026-11-20T10:15:00-05:00")));
        });
    }

    [Test]
    public void Plan_NotBooked_DayFourOnAClosedDate_MovesToTheNextOpenDay()
    {
        // Day 4 of a call on Monday 2026-12-21 is Christmas (closed), then the weekend: Monday 28th 09:00.
        var client = Client(change: c => c with { BusinessHours = WeekdaysNineToFive, ClosedDates = ["2026-12-25"] });
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2026-12-21T10:00:00-05:00"), client, At("2026-12-21T15:01:00Z"));
        Assert.Multiple(() =>
        {
            Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2026-12-22T10:00:00-05:00")));
            Assert.That(Sms(plan, MessageKind.NurtureDay4).ScheduledFor, Is.EqualTo(At("2026-12-28T09:00:00-05:00")));
        });
    }

    [Test]
    public void Plan_NotBooked_DayOneInTheGap_ShiftsForward()
    {
        // A call at 02:30 EST on Saturday 2027-03-13: day 1 is 02:30 on the 14th, inside New York's gap → 03:30 EDT.
        var plan = Planner.Plan(Call(CallOutcome.NotBooked, occurredAt: "2027-03-13T02:30:00-05:00"), Client(), At("2027-03-13T07:31:00Z"));
        Assert.That(Sms(plan, MessageKind.NurtureDay1).ScheduledFor, Is.EqualTo(At("2027-03-14T03:30:00-04:00")));
    }

    [Test]
    public void Plan_NotBooked_ClientNeverOpen_RecordedSkipped()
    {
        var client = Client(change: c => c with { BusinessHours = new Dictionary<string, IReadOnlyList<string>>() });
        var plan = Planner.Plan(Call(CallOutcome.NotBooked), client, At("2026-11-22T15:05:00Z"));
        Assert.That(plan.Messages.Select(m => m.SkipReason), Is.All.EqualTo(SkipReasons.NoBusinessHours));
    }

    [Test]
    public void Plan_NoEmailAddress_EmailRecordedSkipped_NotDropped()
    {
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00", email: null), Client(), At("2026-11-22T15:04:05Z"));
        Assert.Multiple(() =>
        {
            Assert.That(plan.Messages.Where(m => m.Channel.Name == "email").Select(m => m.SkipReason), Is.All.EqualTo(SkipReasons.NoEmailAddress));
            Assert.That(plan.Messages.Count(m => m.Channel.Name == "email"), Is.EqualTo(3));
            Assert.That(plan.Messages.Where(m => m.Channel.Name == "sms").Select(m => m.SkipReason), Is.All.Null);
        });
    }

    [Test]
    public void Plan_EmailOffForClientOrKind_SmsOnly_AndDisabledKindPlansNothing()
    {
        var noEmail = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00"), Client(change: c => c with { EmailEnabled = false }), At("2026-11-22T15:04:05Z"));
        var perKind = Client(change: c => c with
        {
            FollowUps = new Dictionary<string, FollowUpSettings>
            {
                [MessageKind.Reminder1h] = new() { Enabled = false },
                [MessageKind.Confirmation] = new() { Email = false, Sms = "Booked: {service}, {appointment_time}. {business_name}" },
            },
        });
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00"), perKind, At("2026-11-22T15:04:05Z"));
        Assert.Multiple(() =>
        {
            Assert.That(noEmail.Messages.Select(m => m.Channel.Name), Is.All.EqualTo("sms"));
            Assert.That(plan.Messages.Select(m => (m.Kind, m.Channel.Name)), Is.EqualTo(new[]
            {
                ("confirmation", "sms"), ("reminder_24h", "sms"), ("reminder_24h", "email"),
            }));
            Assert.That(Sms(plan, MessageKind.Confirmation).Body, Is.EqualTo("Booked: Cleaning, Wednesday, November 25 at 2:00 PM. Acme Dental"));
        });
    }

    [Test]
    public void Plan_Cancelled_CancellationNow_AndCancelsThatAppointmentsReminders()
    {
        var now = At("2026-11-23T12:00:00Z");
        var plan = Planner.Plan(Call(CallOutcome.Cancelled, "2026-11-25T14:00:00-05:00"), Client(), now);
        Assert.Multiple(() =>
        {
            Assert.That(plan.Messages.Select(m => m.Kind), Is.All.EqualTo(MessageKind.Cancellation));
            Assert.That(Sms(plan, MessageKind.Cancellation).ScheduledFor, Is.EqualTo(now));
            Assert.That(Sms(plan, MessageKind.Cancellation).Body, Does.Contain("is cancelled"));
            Assert.That(plan.CancelRemindersOf, Is.EqualTo("apt_9"));
            Assert.That(plan.CancelRemindersReason, Is.EqualTo(SkipReasons.AppointmentCancelled));
        });
    }

    [Test]
    public void Plan_Rescheduled_NewConfirmationAndReminders_ReplacingTheOldOnes()
    {
        var plan = Planner.Plan(Call(CallOutcome.Rescheduled, "2026-11-27T10:00:00-05:00"), Client(), At("2026-11-23T12:00:00Z"));
        Assert.Multiple(() =>
        {
            Assert.That(plan.Messages.Select(m => m.Kind).Distinct(), Is.EqualTo(new[] { "confirmation", "reminder_24h", "reminder_1h" }));
            Assert.That(Sms(plan, MessageKind.Reminder24h).ScheduledFor, Is.EqualTo(At("2026-11-26T10:00:00-05:00")));
            Assert.That(plan.CancelRemindersOf, Is.EqualTo("apt_9"));
            Assert.That(plan.CancelRemindersReason, Is.EqualTo(SkipReasons.AppointmentRescheduled));
        });
    }

    [Test]
    public void Plan_NoAnswer_TextBackOnlyWhenEnabled_AtTheNextOpening()
    {
        var hours = WeekdaysNineToFive;
        var off = Planner.Plan(Call(CallOutcome.NoAnswer), Client(change: c => c with { BusinessHours = hours }), At("2026-11-22T15:04:05Z"));
        // Sunday 2026-11-22 10:04 EST: closed, so Monday 09:00.
        var on = Planner.Plan(Call(CallOutcome.Voicemail), Client(change: c => c with { BusinessHours = hours, MissedCallTextBack = true }),
            At("2026-11-22T15:04:05Z"));
        var open = Planner.Plan(Call(CallOutcome.NoAnswer), Client(change: c => c with { MissedCallTextBack = true }), At("2026-11-22T15:04:05Z"));
        Assert.Multiple(() =>
        {
            Assert.That(off.Messages, Is.Empty);
            Assert.That(Sms(on, MessageKind.MissedCall).ScheduledFor, Is.EqualTo(At("2026-11-23T09:00:00-05:00")));
            Assert.That(Sms(on, MessageKind.MissedCall).Body, Does.EndWith(MessageTemplate.OptOutSuffix));
            Assert.That(Sms(open, MessageKind.MissedCall).ScheduledFor, Is.EqualTo(At("2026-11-22T15:04:05Z")));
        });
    }

    [Test]
    public void Plan_NoCustomerName_GreetsThere()
    {
        var call = Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00") with { Customer = new Customer(null, "+12125550123", null) };
        var plan = Planner.Plan(call, Client(), At("2026-11-22T15:04:05Z"));
        Assert.That(Sms(plan, MessageKind.Confirmation).Body, Does.StartWith("Hi there,"));
    }

    [Test]
    public void Plan_AppointmentAlreadyBegun_ConfirmationAndRemindersSkipped_CancellationToo()
    {
        var now = At("2026-11-25T19:30:00Z");
        var booked = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00"), Client(), now);
        var cancelled = Planner.Plan(Call(CallOutcome.Cancelled, "2026-11-25T14:00:00-05:00"), Client(), now);
        Assert.Multiple(() =>
        {
            Assert.That(Sms(booked, MessageKind.Confirmation).SkipReason, Is.EqualTo(SkipReasons.AppointmentPast));
            Assert.That(Sms(booked, MessageKind.Reminder1h).SkipReason, Is.EqualTo(SkipReasons.AlreadyPast));
            Assert.That(cancelled.Messages.Select(m => m.SkipReason), Is.All.EqualTo(SkipReasons.AppointmentPast));
            Assert.That(cancelled.CancelRemindersOf, Is.EqualTo("apt_9"), "its reminders are still cancelled");
        });
    }
}
