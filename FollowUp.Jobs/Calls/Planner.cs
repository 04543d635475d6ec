using System.Globalization;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using NodaTime;
using NodaTime.Text;
using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Calls;

/// <summary>
/// Turns a call's outcome into its follow-up plan (the timing table in docs/ARCHITECTURE.md). Pure: no clock, no I/O;
/// <c>now</c> is given. Every local time is in the client's zone (but the recipient's hours, which are in
/// the zones of the customer's number); a local time in a DST gap or overlap
/// resolves leniently (a gap shifts forward by its length, an overlap takes the earlier instant).
/// </summary>
/// <remarks>
/// Timing: confirmation and cancellation now (recorded skipped when the appointment has already begun); <c>reminder_24h</c> at the appointment's wall-clock time
/// one calendar day earlier (so 23 or 25 real hours across a DST change); <c>reminder_1h</c> exactly 60
/// minutes before the appointment instant; a reminder is never after the appointment and is recorded
/// skipped when its time has passed. Nurture on day 1 and 4 at the call's local time, the missed-call
/// text-back now; either moved, when it falls outside, to the first instant that is inside business hours
/// and inside the recipient's hours in every zone of their number (<see cref="SendTimeResolver"/>; a New
/// York client's 09:00 Eastern nurture to a Los Angeles number goes at 08:00 Pacific). Every SMS to a
/// premium-rate number or a country the client does not text (<see cref="SmsDestinations"/>) is recorded
/// skipped; the text-back's hourly cap needs the store, so <see cref="CallIntake"/> applies it.
/// </remarks>
public static class Planner
{
    /// <param name="call">A call, parsed from an event that passed <see cref="CallEventValidator"/> (<see cref="Call.From"/>).</param>
    /// <param name="client">The client's settings (validated).</param>
    /// <param name="now">The moment of planning; "now" messages are scheduled for it.</param>
    public static FollowUpPlan Plan(Call call, ClientSettings client, Instant now)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(client);
        var parsed = ClientHours.Of(client);
        var hours = parsed.Business;
        var builder = new PlanBuilder(call, client, hours, parsed.ForRecipient(call.Customer.Phone));
        switch (call.Outcome)
        {
            case CallOutcome.Booked:
            case CallOutcome.Rescheduled:
                var starts = call.Appointment!.StartsAt;
                builder.Add(MessageKind.Confirmation, now, starts <= now ? SkipReasons.AppointmentPast : null);
                builder.AddReminder(MessageKind.Reminder24h, Reminder24h(starts, hours.Zone), now);
                builder.AddReminder(MessageKind.Reminder1h, starts - Duration.FromHours(1), now);
                return builder.Build() with
                {
                    CancelRemindersOf = call.Appointment.Id,
                    CancelRemindersReason = call.Outcome == CallOutcome.Booked ? SkipReasons.ReplacedByBooking : SkipReasons.AppointmentRescheduled,
                    CancelNurture = true,
                };
            case CallOutcome.Cancelled:
                builder.Add(MessageKind.Cancellation, now,
                    call.Appointment!.StartsAt <= now ? SkipReasons.AppointmentPast : null);
                return builder.Build() with
                {
                    CancelRemindersOf = call.Appointment!.Id,
                    CancelRemindersReason = SkipReasons.AppointmentCancelled,
                };
            case CallOutcome.NotBooked:
                var ended = call.OccurredAt.InZone(hours.Zone).LocalDateTime;
                builder.AddMarketing(MessageKind.NurtureDay1, ended.PlusDays(1).InZoneLeniently(hours.Zone).ToInstant());
                builder.AddMarketing(MessageKind.NurtureDay4, ended.PlusDays(4).InZoneLeniently(hours.Zone).ToInstant());
                return builder.Build();
            case CallOutcome.NoAnswer:
            case CallOutcome.Voicemail:
                if (client.MissedCallTextBack)
                {
                    builder.AddMarketing(MessageKind.MissedCall, now);
                }

                return builder.Build();
            default:
                throw new ArgumentException($"Unknown outcome '{call.Outcome}'.", nameof(call));
        }
    }

    /// <summary>
    /// The appointment's local wall-clock time one calendar day earlier, resolved leniently; never
    /// after the appointment itself.
    /// </summary>
    public static Instant Reminder24h(Instant appointment, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var at = appointment.InZone(zone).LocalDateTime.PlusDays(-1).InZoneLeniently(zone).ToInstant();
        return Instant.Min(at, appointment);
    }

    /// <summary>"Wednesday, November 25 at 2:00 PM": the instant in the client's zone, for people.</summary>
    public static string ForPeople(Instant instant, DateTimeZone zone) => ClientTemplateValues.ForPeople(instant, zone);

    private sealed class PlanBuilder(Call call, ClientSettings client, BusinessHours hours, RecipientHours recipient)
    {
        private readonly List<PlannedMessage> _messages = [];
        private readonly TemplateValues _values = ValuesFor(call, client, hours.Zone);

        /// <summary>A reminder: recorded skipped when <paramref name="at"/> is not after <paramref name="now"/>.</summary>
        public void AddReminder(string kind, Instant at, Instant now) => Add(kind, at, at <= now ? SkipReasons.AlreadyPast : null);

        /// <summary>
        /// A marketing message at <paramref name="due"/>, or the first instant after it inside business hours
        /// and the recipient's hours; recorded skipped when there is none.
        /// </summary>
        public void AddMarketing(string kind, Instant due)
        {
            if (SendTimeResolver.MarketingAt(due, hours, recipient) is { } at)
            {
                Add(kind, at, null);
                return;
            }

            Add(kind, call.OccurredAt,
                hours.NextOpeningAt(due) is null ? SkipReasons.NoBusinessHours : SkipReasons.NoHoursInRecipientsWindow);
        }

        public FollowUpPlan Build() => new(_messages);

        public void Add(string kind, Instant at, string? skip)
        {
            var settings = client.FollowUps.GetValueOrDefault(kind) ?? new FollowUpSettings();
            if (!settings.Enabled)
            {
                return;
            }

            var sms = MessageTemplate.RenderSms(settings.Sms ?? DefaultTemplates.Sms(kind, client.BookingUrl is not null), kind, _values);
            // Toll fraud: a text to a premium-rate number or outside the client's countries is recorded, never sent.
            _messages.Add(new PlannedMessage(kind, Channel.Sms, call.Customer.Phone, null, sms, at)
            {
                SkipReason = skip ?? SmsDestinations.RefusalFor(client, call.Customer.Phone),
            });
            if (!client.EmailEnabled || !settings.Email)
            {
                return;
            }

            var subject = MessageTemplate.RenderSubject(settings.EmailSubject ?? DefaultTemplates.EmailSubject(kind), _values).Trim();
            var body = MessageTemplate.Render(settings.EmailBody ?? DefaultTemplates.EmailBody(kind), _values);
            var email = call.Customer.Email;
            _messages.Add(new PlannedMessage(kind, Channel.Email, email ?? "", subject, body, at)
            {
                SkipReason = skip ?? (email is null ? SkipReasons.NoEmailAddress : null),
            });
        }

        private static TemplateValues ValuesFor(Call call, ClientSettings client, DateTimeZone zone) =>
            Values(client, zone, call.Customer.Name, call.Appointment?.StartsAt, call.Appointment?.Service);
    }

    /// <summary>What a template's placeholders are filled with for this customer and appointment (<see cref="ClientTemplateValues.For"/>).</summary>
    public static TemplateValues Values(ClientSettings client, DateTimeZone zone, string? customerName, Instant? appointmentStarts,
        string? service) => ClientTemplateValues.For(client, zone, customerName, appointmentStarts, service);
}
