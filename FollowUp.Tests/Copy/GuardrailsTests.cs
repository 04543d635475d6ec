using FollowUp.Jobs.Copy;

namespace FollowUp.Tests.Copy;

/// <summary>Each guardrail as a pure function: what passes, what fails and why, and <see cref="Guardrails.Check"/> naming the first failure.</summary>
public sealed class GuardrailsTests
{
    private const string Time = "Wednesday, November 25 at 2:00 PM";

    private static readonly GuardrailFacts Reminder = new()
    {
        Channel = "sms", BusinessName = "Acme Dental", FirstName = "Ana", CustomerName = "Ana Diaz", AppointmentTime = Time,
        BusinessPhone = "+12125550100", BusinessEmail = "hello@acme.example", Template = $"Hi Ana, reminder: Cleaning at Acme Dental on {Time}.",
        CallContext = "Ana has a cracked crown on tooth 14, insurance id 88231; call her at 212-555-0199",
    };

    private static readonly GuardrailFacts Nurture = Reminder with
    {
        Marketing = true, AppointmentTime = null, BookingUrl = "https://acme.example/book", Template = "Hi Ana, book with Acme Dental: https://acme.example/book",
    };

    private const string Good = $"Hi Ana, Acme Dental here: see you {Time} for your cleaning.";

    [Test]
    public void Check_AGoodReminder_Passes_BodyIsTheTextTrimmed()
    {
        var verdict = Guardrails.Check("  " + Good + "\n", Reminder);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Passed, Is.True, verdict.Why);
            Assert.That(verdict.Body, Is.EqualTo(Good));
        });
    }

    [Test]
    public void Check_Nurture_OurOptOutLineIsAppended_AndTheModelMayNotWriteOne()
    {
        var ok = Guardrails.Check("Hi Ana, Acme Dental would love to see you: https://acme.example/book", Nurture);
        var own = Guardrails.Check("Hi Ana, Acme Dental: https://acme.example/book Reply STOP to opt out", Nurture);

        Assert.Multiple(() =>
        {
            Assert.That(ok.Body, Is.EqualTo("Hi Ana, Acme Dental would love to see you: https://acme.example/book\nReply STOP to opt out"));
            Assert.That(own.Reason, Is.EqualTo("guardrail:opt_out"));
        });
    }

    [TestCase(306, 320, null)]
    [TestCase(321, 320, "is 321 characters; the client allows 320")]
    [TestCase(160, 160, null)]
    public void LengthProblem_CharactersWithinTheLimit(int length, int limit, string? expected) =>
        Assert.That(Guardrails.LengthProblem(new string('a', length), Reminder with { MaxSmsChars = limit }), Is.EqualTo(expected));

    [Test]
    public void LengthProblem_UnicodeTakesMoreSegments_Refused_EvenWithinTheCharacters()
    {
        // 150 characters with an emoji: UCS-2, three segments of 67; 320 characters allow two.
        var text = new string('a', 148) + "😀";

        Assert.That(Guardrails.LengthProblem(text, Reminder), Does.StartWith("takes 3 SMS segments"));
    }

    [Test]
    public void LengthProblem_320Allows_TwoSegments_So307GsmCharactersAreRefused() =>
        Assert.That(Guardrails.LengthProblem(new string('a', 307), Reminder), Is.EqualTo("takes 3 SMS segments; 320 characters allow 2"));

    [Test]
    public void LengthProblem_Empty_Refused() => Assert.That(Guardrails.LengthProblem("  ", Reminder), Is.EqualTo("is empty"));

    [TestCase("Book at https://acme.example/book.", null)]
    [TestCase("Book at https://acme.example/book/", null)]
    [TestCase("Book at https://evil.example/book", "has a link that is not the client's booking_url: https://evil.example/book")]
    [TestCase("Book at www.acme.example", "has a link that is not the client's booking_url: www.acme.example")]
    [TestCase("Book at bit.ly/x9", "has a link that is not the client's booking_url: bit.ly/x9")]
    [TestCase("Write to hello@acme.example", null)]
    public void UrlProblem_OnlyTheBookingUrl(string text, string? expected) => Assert.That(Guardrails.UrlProblem(text, Nurture), Is.EqualTo(expected));

    [Test]
    public void UrlProblem_NoBookingUrl_AnyLinkRefused() =>
        Assert.That(Guardrails.UrlProblem("See https://acme.example/book", Reminder), Does.StartWith("has a link"));

    [TestCase("Call us at +1 212-555-0100", null)]
    [TestCase("Call us at (212) 555-0100", null)]
    [TestCase("Call us at 212-555-0199", "has a phone number that is not the business's: 212-555-0199")]
    [TestCase("Write to hello@acme.example", null)]
    [TestCase("Write to ana@gmail.com", "has an email address that is not the business's: ana@gmail.com")]
    [TestCase($"See you {Time}", null)]
    public void ContactProblem_OnlyTheBusinesssOwn(string text, string? expected) => Assert.That(Guardrails.ContactProblem(text, Reminder), Is.EqualTo(expected));

    [TestCase("Hi Ana, see you", null)]
    [TestCase("Hi Ana! Ana, see you", "uses the customer's first name 2 times (at most once)")]
    [TestCase("Hi there", null)]
    public void FirstNameProblem_AtMostOnce(string text, string? expected) => Assert.That(Guardrails.FirstNameProblem(text, Reminder), Is.EqualTo(expected));

    [TestCase("Hi Ms Diaz", "uses the customer's name beyond the first name (Diaz)")]
    [TestCase("We'll look at tooth 14", "repeats a number from the call (14), which may be personal data")]
    [TestCase("Policy 88231 is on file", "repeats a number from the call (88231), which may be personal data")]
    [TestCase("We'll look at that crown", null)]
    public void PersonalDataProblem_NothingElseFromTheCall(string text, string? expected) =>
        Assert.That(Guardrails.PersonalDataProblem(text, Reminder), Is.EqualTo(expected));

    [Test]
    public void PersonalDataProblem_ANumberTheTemplateCarries_IsNotTheCallers() =>
        // "2" and "00" of 2:00 PM are the appointment's, not personal data from the call.
        Assert.That(Guardrails.PersonalDataProblem($"See you {Time}", Reminder with { CallContext = "wants 2:00 or later" }), Is.Null);

    [TestCase("See you at ACME DENTAL", null)]
    [TestCase("See you at the clinic", "does not name the business (Acme Dental)")]
    public void BusinessNameProblem_NamePresent(string text, string? expected) => Assert.That(Guardrails.BusinessNameProblem(text, Reminder), Is.EqualTo(expected));

    [TestCase("Hi {first_name}")]
    [TestCase("Hi [Customer Name]")]
    [TestCase("Hi <name>")]
    [TestCase("Hi {")]
    public void PlaceholderProblem_Unresolved_Refused(string text) => Assert.That(Guardrails.PlaceholderProblem(text), Does.StartWith("has an unresolved placeholder"));

    [TestCase(Good, null)]
    [TestCase("See you Wednesday, November 25 at 3:00 PM", $"does not give the appointment as \"{Time}\"")]
    [TestCase("See you Wednesday at 2", $"does not give the appointment as \"{Time}\"")]
    [TestCase($"See you {Time}, or Thursday at 4 pm", "mentions another date or time (Thursday)")]
    [TestCase($"See you {Time}; arrive by 1:45", "mentions another date or time (1:45)")]
    public void AppointmentTimeProblem_ExactlyAsRendered_NoOther(string text, string? expected) =>
        Assert.That(Guardrails.AppointmentTimeProblem(text, Reminder), Is.EqualTo(expected));

    [Test]
    public void AppointmentTimeProblem_KindWithoutAppointment_NotChecked() =>
        Assert.That(Guardrails.AppointmentTimeProblem("Come in Friday", Nurture), Is.Null);

    [Test]
    public void Check_SeveralProblems_NamesTheFirstInOrder()
    {
        var verdict = Guardrails.Check("Hi {name}, go to https://evil.example", Reminder);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Passed, Is.False);
            Assert.That(verdict.Reason, Is.EqualTo("guardrail:placeholder"));
            Assert.That(verdict.Body, Is.Null);
        });
    }
}
