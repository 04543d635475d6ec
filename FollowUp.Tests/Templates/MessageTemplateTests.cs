using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Jobs.Clients;

namespace FollowUp.Tests.Templates;

public sealed class MessageTemplateTests
{
    private static readonly TemplateValues Values = new("Ana", "Ana Diaz", "Acme Dental", "Wednesday, November 25 at 2:00 PM", "Cleaning");

    [Test]
    public void Problems_UnknownPlaceholder_NamesItAndTheKnownOnes()
    {
        var problems = MessageTemplate.Problems("Hi {firstname}", MessageKind.Confirmation).ToList();
        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.Contain("{firstname}").And.Contain("{first_name}"));
    }

    [Test]
    public void Problems_AppointmentPlaceholderInNurture_Refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MessageTemplate.Problems("See you {appointment_time}", MessageKind.NurtureDay1).Single(),
                Does.Contain("nurture_day1 messages have no appointment"));
            Assert.That(MessageTemplate.Problems("See you {appointment_time}", MessageKind.Reminder1h), Is.Empty);
        });
    }

    [Test]
    public void Problems_StrayBraceAndEmpty_Refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MessageTemplate.Problems("Hi {first_name", MessageKind.Confirmation).Single(), Does.Contain("brace"));
            Assert.That(MessageTemplate.Problems("  ", MessageKind.Confirmation).Single(), Is.EqualTo("must not be empty"));
        });
    }

    [Test]
    public void Render_FillsEveryPlaceholder()
    {
        var text = MessageTemplate.Render("{first_name}/{customer_name}/{business_name}/{appointment_time}/{service}", Values);
        Assert.That(text, Is.EqualTo("Ana/Ana Diaz/Acme Dental/Wednesday, November 25 at 2:00 PM/Cleaning"));
    }

    [Test]
    public void RenderSms_Marketing_AddsOptOutOnce_Transactional_Never()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MessageTemplate.RenderSms("Hi {first_name}", MessageKind.NurtureDay4, Values), Is.EqualTo("Hi Ana\nReply STOP to opt out"));
            Assert.That(MessageTemplate.RenderSms("Hi {first_name}. Text STOP to end.", MessageKind.NurtureDay4, Values),
                Is.EqualTo("Hi Ana. Text STOP to end."));
            Assert.That(MessageTemplate.RenderSms("Hi {first_name}", MessageKind.Reminder1h, Values), Is.EqualTo("Hi Ana"));
        });
    }

    [Test]
    public void DefaultTemplates_AllValid_AndTheirPreviewsFitTwoSegments()
    {
        var client = Support.TestClients.Acme();
        var previews = TemplatePreviews.For(client);
        Assert.Multiple(() =>
        {
            foreach (var kind in DefaultTemplates.Kinds)
            {
                Assert.That(MessageTemplate.Problems(DefaultTemplates.Sms(kind), kind), Is.Empty, kind);
                Assert.That(MessageTemplate.Problems(DefaultTemplates.EmailSubject(kind), kind), Is.Empty, kind);
                Assert.That(MessageTemplate.Problems(DefaultTemplates.EmailBody(kind), kind), Is.Empty, kind);
                Assert.That(previews[kind].SmsSegments, Is.EqualTo(SmsSegments.Count(previews[kind].Sms)).And.InRange(1, 2), kind);
            }
        });
    }

    [Test]
    public void DefaultTemplates_WithABookingUrl_InviteBookingOnline_AndFitTwoSegments()
    {
        var client = Support.TestClients.Acme(c => c with { BookingUrl = "https://book.example/acme-dental/online" });
        var previews = TemplatePreviews.For(client);
        Assert.Multiple(() =>
        {
            foreach (var kind in new[] { MessageKind.NurtureDay1, MessageKind.NurtureDay4, MessageKind.MissedCall })
            {
                Assert.That(MessageTemplate.Problems(DefaultTemplates.Sms(kind, withBookingUrl: true), kind, hasBookingUrl: true), Is.Empty, kind);
                Assert.That(previews[kind].Sms, Does.Contain("https://book.example/acme-dental/online"), kind);
                Assert.That(previews[kind].SmsSegments, Is.InRange(1, 2), kind);
            }

            Assert.That(MessageTemplate.Problems(DefaultTemplates.Sms(MessageKind.NurtureDay1, withBookingUrl: true), MessageKind.NurtureDay1),
                Is.EqualTo(new[] { "uses {booking_url}, but the client has no booking_url" }));
            Assert.That(previews[MessageKind.Confirmation].Sms, Does.EndWith("Reply C to confirm, R to reschedule or CANCEL to cancel."));
        });
    }

    [Test]
    public void RenderSubject_NameWithLineBreaks_RendersOneLine()
    {
        // A customer name from a call webhook is not ours to trust: in a header, CR/LF would start another header.
        var values = Values with { FirstName = "Ana\r\nBcc: victim@example.com" };

        Assert.That(MessageTemplate.RenderSubject("Hi {first_name}, see you soon", values), Is.EqualTo("Hi Ana Bcc: victim@example.com, see you soon"));
    }
}
