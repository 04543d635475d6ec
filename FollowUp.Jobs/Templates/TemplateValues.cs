
namespace FollowUp.Jobs.Templates;

/// <summary>What a template's placeholders are filled with, already written for people.</summary>
public sealed record TemplateValues(string FirstName, string CustomerName, string BusinessName, string? AppointmentTime, string Service)
{
    /// <summary>The client's booking page, for {booking_url}.</summary>
    public string? BookingUrl { get; init; }

    /// <summary>Values of typical length, for previews and segment counts.</summary>
    public static TemplateValues Sample(string businessName) =>
        new("Ana", "Ana Diaz", businessName, "Wednesday, November 25 at 2:00 PM", "Cleaning");
}
