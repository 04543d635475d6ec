using FollowUp.Jobs.Channels;

namespace FollowUp.Tests.Channels;

public sealed class PersonalDataTests
{
    [TestCase("The 'To' number +15005550001 is not a valid phone number.", "The 'To' number +1500…0001 is not a valid phone number.")]
    [TestCase("550 5.1.1 <ana.diaz@example.com>: Recipient address rejected", "550 5.1.1 <a…@example.com>: Recipient address rejected")]
    [TestCase("To +1 (212) 555-0123 failed", "To +1212…0123 failed")]
    [TestCase("number 12125550123 unreachable", "number 1212…0123 unreachable")]
    [TestCase("Twilio error 21211 on 2026-12-03 at 12:00", "Twilio error 21211 on 2026-12-03 at 12:00")]
    [TestCase("SMTP 421: 4.3.2 Service not available", "SMTP 421: 4.3.2 Service not available")]
    [TestCase("", "")]
    public void Redact_MasksNumbersAndAddresses_LeavesCodesAndDates(string text, string expected) =>
        Assert.That(PersonalData.Redact(text), Is.EqualTo(expected));
}
