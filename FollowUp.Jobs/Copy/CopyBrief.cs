namespace FollowUp.Jobs.Copy;

/// <summary>
/// What the model is given for one message: the template text as rendered for this customer, the facts it must
/// keep, the client's tone and instructions, and what the call said (<see cref="Summary"/>, <see cref="Intent"/>,
/// <see cref="Notes"/>: the caller's words, passed as quoted data only). Nothing else about the customer — no
/// phone number, no email address, no surname — is ever sent.
/// </summary>
public sealed record CopyBrief
{
    public required string Kind { get; init; }

    /// <summary><c>sms</c> or <c>email</c>.</summary>
    public required string Channel { get; init; }

    /// <summary>The template as rendered for this message (a marketing SMS without the opt-out line, which we append).</summary>
    public required string Template { get; init; }

    public required string BusinessName { get; init; }

    /// <summary>The customer's first name as the template uses it ("there" when unknown).</summary>
    public required string FirstName { get; init; }

    /// <summary>The appointment's date and time exactly as the template writes it, for kinds that have one.</summary>
    public string? AppointmentTime { get; init; }

    /// <summary>The only URL the text may carry, for kinds that invite a booking.</summary>
    public string? BookingUrl { get; init; }

    public string? Tone { get; init; }

    public string? Instructions { get; init; }

    /// <summary>The most characters the model's text may have.</summary>
    public required int MaxChars { get; init; }

    public string? Summary { get; init; }

    public string? Intent { get; init; }

    public string? Notes { get; init; }
}
