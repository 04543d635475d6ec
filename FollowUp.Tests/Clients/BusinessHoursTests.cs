using FollowUp.Jobs.Clients;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Tests.Clients;

public sealed class BusinessHoursTests
{
    private static Instant At(string iso) => InstantPattern.ExtendedIso.Parse(iso).Value;

    private static BusinessHours Hours(string zone, Dictionary<string, IReadOnlyList<string>> week, params string[] closed) =>
        BusinessHours.From(new ClientSettings { Name = "x", TimeZone = zone, BusinessHours = week, ClosedDates = closed });

    private static readonly Dictionary<string, IReadOnlyList<string>> NineToFiveWeekdays = new()
    {
        ["mon"] = ["09:00", "17:00"], ["tue"] = ["09:00", "17:00"], ["wed"] = ["09:00", "17:00"],
        ["thu"] = ["09:00", "17:00"], ["fri"] = ["09:00", "17:00"],
    };

    [Test]
    public void NextOpeningAt_FridayEvening_IsMondayNineLocal()
    {
        var hours = Hours("America/New_York", NineToFiveWeekdays);

        // Friday 2026-11-27 18:30 EST = 23:30Z → Monday 2026-11-30 09:00 EST = 14:00Z.
        Assert.That(hours.NextOpeningAt(At("2026-11-27T23:30:00Z")), Is.EqualTo(At("2026-11-30T14:00:00Z")));
    }

    [Test]
    public void NextOpeningAt_WhenOpen_IsNow_AndCloseIsExclusive()
    {
        var hours = Hours("America/New_York", NineToFiveWeekdays);

        Assert.Multiple(() =>
        {
            Assert.That(hours.NextOpeningAt(At("2026-11-25T15:00:00Z")), Is.EqualTo(At("2026-11-25T15:00:00Z")));
            Assert.That(hours.IsOpenAt(At("2026-11-25T14:00:00Z")), Is.True, "09:00 sharp is open");
            Assert.That(hours.IsOpenAt(At("2026-11-25T22:00:00Z")), Is.False, "17:00 sharp is closed");
        });
    }

    [Test]
    public void NextOpeningAt_SkipsClosedDates()
    {
        var hours = Hours("America/New_York", NineToFiveWeekdays, "2026-12-24", "2026-12-25");

        // Wednesday 2026-12-23 after hours → Thu 24th and Fri 25th closed → Monday 28th 09:00 EST.
        Assert.That(hours.NextOpeningAt(At("2026-12-23T23:00:00Z")), Is.EqualTo(At("2026-12-28T14:00:00Z")));
    }

    [Test]
    public void NextOpeningAt_AcrossSpringForward_OpensAtLocalNineInTheNewOffset()
    {
        // America/New_York springs forward on Sunday 2027-03-14 (UTC-5 → UTC-4).
        var hours = Hours("America/New_York", NineToFiveWeekdays);

        Assert.That(hours.NextOpeningAt(At("2027-03-12T23:00:00Z")), Is.EqualTo(At("2027-03-15T13:00:00Z")));
    }

    [Test]
    public void NextOpeningAt_OpeningInsideTheDstGap_ShiftsForwardByTheGap()
    {
        // 02:30 does not exist in New York on 2027-03-14: the lenient resolver shifts it forward by the
        // gap's length (one hour), so it opens at 03:30 EDT (07:30Z).
        var hours = Hours("America/New_York", new() { ["sun"] = ["02:30", "05:00"] });

        Assert.That(hours.NextOpeningAt(At("2027-03-14T05:00:00Z")), Is.EqualTo(At("2027-03-14T07:30:00Z")));
    }

    [Test]
    public void OpenAllDay_With2400_IsOpenUntilMidnight_LordHoweHalfHourShift()
    {
        // Australia/Lord_Howe moves by 30 minutes; on 2027-04-04 at 02:00 (+11) it falls back to 01:30 (+10:30).
        var hours = Hours("Australia/Lord_Howe", new() { ["sun"] = ["00:00", "24:00"] });

        Assert.Multiple(() =>
        {
            Assert.That(hours.IsOpenAt(At("2027-04-03T13:00:00Z")), Is.True, "00:00 local (+11)");
            Assert.That(hours.IsOpenAt(At("2027-04-04T13:29:00Z")), Is.True, "23:59 local (+10:30)");
            Assert.That(hours.IsOpenAt(At("2027-04-04T13:30:00Z")), Is.False, "Monday 00:00 local");
        });
    }

    [Test]
    public void NextOpeningAt_NoHours_IsNull()
    {
        Assert.That(Hours("Europe/London", []).NextOpeningAt(At("2026-11-25T12:00:00Z")), Is.Null);
    }
}
