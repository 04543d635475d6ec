using System.Globalization;
using FollowUp.Jobs.Templates;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// What a client's template placeholders are filled with for one customer and appointment, written for people in
/// the client's zone: the planner renders with these, and the AI rewrite checks its text against the same values
/// (the appointment's date and time exactly as the template shows them).
/// </summary>
public static class ClientTemplateValues
{
    private static readonly LocalDateTimePattern PeopleTime =
        LocalDateTimePattern.Create("dddd, MMMM d 'at' h:mm tt", CultureInfo.GetCultureInfo("en-US"));

    /// <summary>"Wednesday, November 25 at 2:00 PM": the instant in <paramref name="zone"/>, for people.</summary>
    public static string ForPeople(Instant instant, DateTimeZone zone) => PeopleTime.Format(instant.InZone(zone).LocalDateTime);

    /// <summary>The values for this customer and appointment; the first name is "there" when the name is unknown.</summary>
    public static TemplateValues For(ClientSettings client, DateTimeZone zone, string? customerName, Instant? appointmentStarts, string? service)
    {
        ArgumentNullException.ThrowIfNull(client);
        var name = customerName?.Trim();
        var first = string.IsNullOrEmpty(name) ? "there" : name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var time = appointmentStarts is { } starts ? ForPeople(starts, zone) : null;
        return new TemplateValues(first, string.IsNullOrEmpty(name) ? "there" : name, client.Name, time,
            string.IsNullOrWhiteSpace(service) ? "appointment" : service.Trim())
        {
            BookingUrl = client.BookingUrl,
        };
    }
}
