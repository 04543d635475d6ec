using FollowUp.Jobs.Channels;

namespace FollowUp.Tests.Channels;

/// <summary>Phone numbers through libphonenumber: what is accepted, its E.164 form, why the rest is refused, and the zones.</summary>
public sealed class E164Tests
{
    [TestCase("+12125550123", "+12125550123")]
    [TestCase("+1 (212) 555-0123", "+12125550123")]
    [TestCase("+1-212-555-0123", "+12125550123")]
    [TestCase("  +1 212.555.0123 ", "+12125550123")]
    [TestCase("+1 310 555 0123", "+13105550123")]
    [TestCase("+44 20 7946 0958", "+442079460958")]
    [TestCase("+33 1 23 45 67 89", "+33123456789")]
    public void TryNormalize_InternationalInput_IsE164(string input, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(E164.TryNormalize(input, out var e164, out var problem), Is.True, problem);
            Assert.That(e164, Is.EqualTo(expected));
            Assert.That(E164.Normalize(input), Is.EqualTo(expected));
            Assert.That(E164.IsValid(input), Is.True);
        });
    }

    [TestCase("+15551234567", "is not a valid number for region US")]
    [TestCase("+1 555 123 4567", "is not a valid number for region US")]
    [TestCase("+44 99 1234 5678", "is not a valid number for region GB")]
    [TestCase("+44 20 1234", "is too short for country code +44")]
    [TestCase("2125550123", "must start with + and the country code, such as +12125550123")]
    [TestCase("(212) 555-0123", "must start with + and the country code, such as +12125550123")]
    [TestCase("0012125550123", "must start with + and the country code, such as +12125550123")]
    [TestCase("+1212", "is too short for country code +1")]
    [TestCase("+12", "is too short")]
    [TestCase("+1 212 555 01234", "is too long for country code +1")]
    [TestCase("+999123456", "does not start with a known country code after the +")]
    [TestCase("+1 212 555 0123 ext. 45", "must not have an extension")]
    [TestCase("+hello", "is not a phone number")]
    [TestCase("", "is required")]
    [TestCase("   ", "is required")]
    [TestCase(null, "is required")]
    public void TryNormalize_Refused_SaysWhy(string? input, string why)
    {
        Assert.Multiple(() =>
        {
            Assert.That(E164.TryNormalize(input, out var e164, out var problem), Is.False);
            Assert.That(e164, Is.Null);
            Assert.That(problem, Is.EqualTo(why));
            Assert.That(E164.ProblemWith(input), Is.EqualTo(why));
            Assert.That(E164.IsValid(input), Is.False);
            Assert.That(() => E164.Normalize(input), Throws.ArgumentException.With.Message.Contains(why));
        });
    }

    [Test]
    public void NormalizeOrKeep_NumberIsE164_AShortCodeStaysAsItCame()
    {
        Assert.Multiple(() =>
        {
            Assert.That(E164.NormalizeOrKeep("+1 (212) 555-0123"), Is.EqualTo("+12125550123"));
            Assert.That(E164.NormalizeOrKeep(" 72345 "), Is.EqualTo("72345"));
        });
    }

    [TestCase("+12125550123", new[] { "America/New_York" })]
    [TestCase("+13105550123", new[] { "America/Los_Angeles" })]
    [TestCase("+442079460958", new[] { "Europe/London" })]
    // Idaho's area code 208 spans Mountain (Boise) and Pacific (the panhandle) time.
    [TestCase("+12085550123", new[] { "America/Boise", "America/Los_Angeles" })]
    public void TimeZonesOf_Geographic_TheNumbersZones(string number, string[] zones)
    {
        Assert.That(E164.TimeZonesOf(number).Select(z => z.Id), Is.EquivalentTo(zones));
    }

    [Test]
    public void TimeZonesOf_UnknownOrInvalid_IsEmpty_TollFreeIsTheWholeCountry()
    {
        Assert.Multiple(() =>
        {
            Assert.That(E164.TimeZonesOf("+80012345678"), Is.Empty, "international freephone: no zone");
            Assert.That(E164.TimeZonesOf("+15551234567"), Is.Empty, "not a valid number");
            Assert.That(E164.TimeZonesOf(null), Is.Empty);
            Assert.That(E164.TimeZonesOf("+18005550100").Select(z => z.Id), Does.Contain("Pacific/Guam").And.Contain("Atlantic/Bermuda"));
        });
    }
}
