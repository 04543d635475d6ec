using FollowUp.Jobs.Clients;
using FollowUp.Tests.Support;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Tests.Clients;

/// <summary>Quiet hours in the recipient's zones (from the number), in real IANA zones across DST changes.</summary>
public sealed class RecipientHoursTests
{
    private const string LosAngeles = "+13105550123";
    private const string NewYork = "+12125550123";

    // Area code 208 (Idaho) maps to America/Boise (Mountain) and America/Los_Angeles (Pacific): one hour apart.
    private const string Idaho = "+12085550123";

    private static Instant At(string iso) => OffsetDateTimePattern.ExtendedIso.Parse(iso).Value.ToInstant();

    private static RecipientHours For(string? phone, IReadOnlyList<string>? window = null) =>
        RecipientHours.For(TestClients.Acme(c => c with { RecipientHours = window ?? RecipientHours.Default }), phone);

    [Test]
    public void NextOpeningAt_LosAngelesNumberAt0900Eastern_Is0800Pacific()
    {
        var hours = For(LosAngeles);

        // Tuesday 2027-01-12 09:00 EST is 06:00 PST: two hours before the window opens there.
        Assert.Multiple(() =>
        {
            Assert.That(hours.Zones.Select(z => z.Id), Is.EqualTo(new[] { "America/Los_Angeles" }));
            Assert.That(hours.IsOpenAt(At("2027-01-12T09:00:00-05:00")), Is.False);
            Assert.That(hours.NextOpeningAt(At("2027-01-12T09:00:00-05:00")), Is.EqualTo(At("2027-01-12T08:00:00-08:00")));
        });
    }

    [Test]
    public void IsOpenAt_StartInclusive_EndExclusive_InTheRecipientsZone()
    {
        var hours = For(LosAngeles);

        Assert.Multiple(() =>
        {
            Assert.That(hours.IsOpenAt(At("2027-01-12T07:59:00-08:00")), Is.False);
            Assert.That(hours.IsOpenAt(At("2027-01-12T08:00:00-08:00")), Is.True, "08:00 sharp is open");
            Assert.That(hours.IsOpenAt(At("2027-01-12T20:59:00-08:00")), Is.True);
            Assert.That(hours.IsOpenAt(At("2027-01-12T21:00:00-08:00")), Is.False, "21:00 sharp is quiet");
            Assert.That(hours.NextOpeningAt(At("2027-01-12T21:00:00-08:00")), Is.EqualTo(At("2027-01-13T08:00:00-08:00")));
        });
    }

    [Test]
    public void NextOpeningAt_NumberInTwoZonesAnHourApart_OnlyWhileOpenInBoth()
    {
        var hours = For(Idaho);

        Assert.Multiple(() =>
        {
            Assert.That(hours.Zones.Select(z => z.Id), Is.EquivalentTo(new[] { "America/Boise", "America/Los_Angeles" }));
            // Opens when the later zone does: 08:00 Pacific is 09:00 Mountain (Boise alone would open an hour earlier).
            Assert.That(hours.IsOpenAt(At("2027-01-12T08:30:00-07:00")), Is.False, "08:30 in Boise is 07:30 in the panhandle");
            Assert.That(hours.NextOpeningAt(At("2027-01-12T08:30:00-07:00")), Is.EqualTo(At("2027-01-12T08:00:00-08:00")));
            // Closes when the earlier zone does: 21:00 Mountain is 20:00 Pacific (Los Angeles alone would stay open).
            Assert.That(hours.IsOpenAt(At("2027-01-12T19:59:00-08:00")), Is.True);
            Assert.That(hours.IsOpenAt(At("2027-01-12T20:30:00-08:00")), Is.False, "20:30 in the panhandle is 21:30 in Boise");
            Assert.That(hours.NextOpeningAt(At("2027-01-12T20:30:00-08:00")), Is.EqualTo(At("2027-01-13T08:00:00-08:00")));
        });
    }

    [Test]
    public void For_NumberWithoutAZone_UsesTheClientsZone()
    {
        // +800 is international freephone: libphonenumber maps it to no zone. The client is in New York.
        var hours = For("+80012345678");

        Assert.Multiple(() =>
        {
            Assert.That(hours.Zones.Select(z => z.Id), Is.EqualTo(new[] { "America/New_York" }));
            Assert.That(hours.NextOpeningAt(At("2027-01-12T06:00:00-05:00")), Is.EqualTo(At("2027-01-12T08:00:00-05:00")));
            Assert.That(For(null).Zones.Select(z => z.Id), Is.EqualTo(new[] { "America/New_York" }), "no number (an email without one)");
        });
    }

    [Test]
    public void NextOpeningAt_TollFreeNumber_OnlyWhileOpenInEveryZoneOfItsCountry()
    {
        // +1 800 maps to every NANP zone, Pago Pago (UTC-11) to Guam (UTC+10). In January 08:00-21:00 is
        // open in all of them from 22:00Z (08:00 in Guam) to 00:30Z (21:00 in St John's, UTC-3:30).
        var hours = For("+18005550100");

        Assert.Multiple(() =>
        {
            Assert.That(hours.NextOpeningAt(At("2027-01-12T11:00:00Z")), Is.EqualTo(At("2027-01-12T22:00:00Z")));
            Assert.That(hours.IsOpenAt(At("2027-01-13T00:29:00Z")), Is.True);
            Assert.That(hours.IsOpenAt(At("2027-01-13T00:30:00Z")), Is.False);
        });
    }

    [Test]
    public void NextOpeningAt_ZonesNeverOpenTogether_FallsBackToTheClientsZone()
    {
        // With a narrow window, 09:00-12:00, the +1 800 number's zones are never open together (09:00-12:00
        // in Pago Pago is 20:00Z-23:00Z, in Guam 23:00Z-02:00Z): the client's zone (New York) decides.
        var hours = For("+18005550100", ["09:00", "12:00"]);

        Assert.That(hours.NextOpeningAt(At("2027-01-12T06:00:00-05:00")), Is.EqualTo(At("2027-01-12T09:00:00-05:00")));
    }

    [Test]
    public void NextOpeningAt_WindowOpeningInTheSpringForwardGap_OpensAfterTheGap()
    {
        // America/New_York springs forward 2027-03-14 02:00 EST → 03:00 EDT: 02:30 does not exist that day
        // and resolves leniently, shifted forward by the gap, to 03:30 EDT.
        var hours = For(NewYork, ["02:30", "21:00"]);

        Assert.Multiple(() =>
        {
            Assert.That(hours.NextOpeningAt(At("2027-03-14T01:45:00-05:00")), Is.EqualTo(At("2027-03-14T03:30:00-04:00")));
            Assert.That(hours.IsOpenAt(At("2027-03-14T03:15:00-04:00")), Is.False);
        });
    }

    [Test]
    public void NextOpeningAt_WindowOpeningInTheFallBackOverlap_OpensAtTheEarlierInstant()
    {
        // America/New_York falls back 2027-11-07 02:00 EDT → 01:00 EST: 01:30 happens twice; the window
        // opens at the first, 01:30 EDT (05:30Z), not 01:30 EST (06:30Z).
        var hours = For(NewYork, ["01:30", "21:00"]);

        Assert.That(hours.NextOpeningAt(At("2027-11-07T00:00:00-04:00")), Is.EqualTo(At("2027-11-07T05:30:00Z")));
    }

    [Test]
    public void NextOpeningAt_AcrossDaylightSaving_FollowsTheRecipientsOffset()
    {
        // Los Angeles springs forward 2027-03-14 02:00 PST → 03:00 PDT: 08:00 that day is 15:00Z, not 16:00Z.
        var hours = For(LosAngeles);

        Assert.That(hours.NextOpeningAt(At("2027-03-14T07:30:00-04:00")), Is.EqualTo(At("2027-03-14T15:00:00Z")));
    }

    [Test]
    public void AllDay_IsAlwaysOpen()
    {
        var hours = For(LosAngeles, ["00:00", "24:00"]);

        Assert.That(hours.IsOpenAt(At("2027-01-12T03:00:00-08:00")), Is.True);
    }
}
