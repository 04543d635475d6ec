using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;

namespace FollowUp.Tests.Calls;

/// <summary>Toll fraud (issue #17 §4): SMS only to the client's countries, never to premium-rate numbers.</summary>
public sealed partial class PlannerTests
{
    private static readonly NodaTime.Instant Now = At("2026-11-23T15:00:00Z");

    [TestCase("+442071838750", SkipReasons.CountryNotAllowed, TestName = "Plan_NoAnswer_ForeignCaller_TextBackSkipped_CountryNotAllowed")]
    [TestCase("+19002345678", SkipReasons.PremiumRateNumber, TestName = "Plan_NoAnswer_PremiumRateCaller_TextBackSkipped")]
    public void Plan_NoAnswer_RefusedCaller_TextBackSkippedWithTheReason(string phone, string reason)
    {
        var plan = Planner.Plan(Call(CallOutcome.NoAnswer, phone: phone, email: null), Client(change: c => c with { MissedCallTextBack = true }), Now);

        Assert.That(Sms(plan, MessageKind.MissedCall).SkipReason, Is.EqualTo(reason));
    }

    [Test]
    public void Plan_Booked_ForeignCustomer_EverySmsSkipped_EmailStillGoes()
    {
        var plan = Planner.Plan(Call(CallOutcome.Booked, "2026-11-25T14:00:00-05:00", phone: "+33142685300"), Client(), Now);

        Assert.Multiple(() =>
        {
            Assert.That(plan.Messages.Where(m => m.Channel == Channel.Sms).Select(m => m.SkipReason), Is.All.EqualTo(SkipReasons.CountryNotAllowed));
            Assert.That(Email(plan, MessageKind.Confirmation).SkipReason, Is.Null);
        });
    }

    [Test]
    public void Plan_NoAnswer_SmsCountriesListed_ThoseAllowed_OthersSkipped()
    {
        var client = Client(change: c => c with { MissedCallTextBack = true, SmsCountries = ["US", "GB"] });

        var british = Planner.Plan(Call(CallOutcome.NoAnswer, phone: "+442071838750", email: null), client, Now);
        var french = Planner.Plan(Call(CallOutcome.NoAnswer, phone: "+33142685300", email: null), client, Now);

        Assert.Multiple(() =>
        {
            Assert.That(Sms(british, MessageKind.MissedCall).SkipReason, Is.Null);
            Assert.That(Sms(french, MessageKind.MissedCall).SkipReason, Is.EqualTo(SkipReasons.CountryNotAllowed));
        });
    }

    // No sms_from: the client's own country is its time zone's (Europe/London → GB).
    [Test]
    public void Plan_NoSmsFrom_OwnCountryFromTheTimeZone()
    {
        var client = Client("Europe/London", c => c with { MissedCallTextBack = true, SmsFrom = null });

        var british = Planner.Plan(Call(CallOutcome.NoAnswer, phone: "+442071838750", email: null), client, Now);
        var american = Planner.Plan(Call(CallOutcome.NoAnswer, phone: "+12125550123", email: null), client, Now);

        Assert.Multiple(() =>
        {
            Assert.That(Sms(british, MessageKind.MissedCall).SkipReason, Is.Null);
            Assert.That(Sms(american, MessageKind.MissedCall).SkipReason, Is.EqualTo(SkipReasons.CountryNotAllowed));
        });
    }
}
