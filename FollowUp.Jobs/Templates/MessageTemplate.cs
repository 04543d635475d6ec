using System.Text;
using System.Text.RegularExpressions;

namespace FollowUp.Jobs.Templates;

/// <summary>
/// Follow-up templates: text with placeholders in braces. The placeholders are fixed and checked when
/// a template is saved (<see cref="Problems"/>), so rendering never meets an unknown one.
/// </summary>
public static partial class MessageTemplate
{
    public const string FirstName = "first_name";
    public const string CustomerName = "customer_name";
    public const string BusinessName = "business_name";
    public const string AppointmentTime = "appointment_time";
    public const string Service = "service";
    public const string BookingUrl = "booking_url";

    /// <summary>Appended to marketing SMS that do not already say how to opt out (carrier rules).</summary>
    public const string OptOutSuffix = "Reply STOP to opt out";

    public static readonly string[] Placeholders = [FirstName, CustomerName, BusinessName, AppointmentTime, Service, BookingUrl];

    /// <summary>Kinds that concern an appointment; only they may use {appointment_time} and {service}.</summary>
    public static bool HasAppointment(string kind) =>
        kind is MessageKind.Confirmation or MessageKind.Reminder24h or MessageKind.Reminder1h or MessageKind.Cancellation;

    /// <summary>Kinds that invite a booking: only they may use {booking_url}.</summary>
    public static bool InvitesBooking(string kind) => kind is MessageKind.NurtureDay1 or MessageKind.NurtureDay4 or MessageKind.MissedCall;

    /// <summary>
    /// Why <paramref name="template"/> cannot be used for <paramref name="kind"/>; empty when it can.
    /// {booking_url} needs the client's <c>booking_url</c> (<paramref name="hasBookingUrl"/>).
    /// </summary>
    public static IEnumerable<string> Problems(string template, string kind, bool hasBookingUrl = false)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (string.IsNullOrWhiteSpace(template))
        {
            yield return "must not be empty";
            yield break;
        }

        foreach (Match token in Token().Matches(template))
        {
            var name = token.Groups[1].Value;
            if (!Placeholders.Contains(name, StringComparer.Ordinal))
            {
                yield return $"has an unknown placeholder {{{name}}}; known: {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))}";
            }
            else if (name is AppointmentTime or Service && !HasAppointment(kind))
            {
                yield return $"uses {{{name}}}, but {kind} messages have no appointment";
            }
            else if (name is BookingUrl && !InvitesBooking(kind))
            {
                yield return $"uses {{{name}}}, which only nurture and missed-call messages may use";
            }
            else if (name is BookingUrl && !hasBookingUrl)
            {
                yield return $"uses {{{name}}}, but the client has no booking_url";
            }
        }

        var stray = Token().Replace(template, "");
        if (stray.Contains('{', StringComparison.Ordinal) || stray.Contains('}', StringComparison.Ordinal))
        {
            yield return "has a brace that is not part of a placeholder such as {first_name}";
        }
    }

    /// <summary>Fills the placeholders. The template must have passed <see cref="Problems"/>.</summary>
    public static string Render(string template, TemplateValues values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        return Token().Replace(template, m => m.Groups[1].Value switch
        {
            FirstName => values.FirstName,
            CustomerName => values.CustomerName,
            BusinessName => values.BusinessName,
            AppointmentTime => values.AppointmentTime ?? "",
            Service => values.Service,
            BookingUrl => values.BookingUrl ?? "",
            var other => throw new InvalidOperationException($"Unknown placeholder {{{other}}} reached rendering."),
        });
    }

    /// <summary>
    /// An email subject: rendered on one line. A customer's name from a call webhook can carry CR or LF;
    /// in a header that would start another header, so line breaks become single spaces.
    /// </summary>
    public static string RenderSubject(string template, TemplateValues values) =>
        string.Join(' ', Render(template, values).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>An SMS body: rendered, and for marketing kinds ending with the opt-out line unless it mentions STOP.</summary>
    public static string RenderSms(string template, string kind, TemplateValues values)
    {
        var body = Render(template, values).Trim();
        if (MessageKind.IsMarketing(kind) && !StopWord().IsMatch(body))
        {
            body = new StringBuilder(body).Append('\n').Append(OptOutSuffix).ToString();
        }

        return body;
    }

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Token();

    [GeneratedRegex(@"\bSTOP\b")]
    private static partial Regex StopWord();
}
