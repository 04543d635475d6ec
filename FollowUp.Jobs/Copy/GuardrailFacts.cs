namespace FollowUp.Jobs.Copy;

/// <summary>
/// What the guardrails check a model's text against, all from our own records (the client, the call, the
/// rendered template), never from the model or from anything the call's summary asked for.
/// </summary>
public sealed record GuardrailFacts
{
    /// <summary><c>sms</c> or <c>email</c>.</summary>
    public required string Channel { get; init; }

    /// <summary>A marketing kind (nurture, the text-back): the opt-out line is ours to append.</summary>
    public bool Marketing { get; init; }

    /// <summary>The most characters an SMS may have, the opt-out line included.</summary>
    public int MaxSmsChars { get; init; } = Clients.AiCopySettings.DefaultMaxSmsChars;

    public required string BusinessName { get; init; }

    /// <summary>The customer's first name as the template uses it ("there" when unknown: then not counted).</summary>
    public required string FirstName { get; init; }

    /// <summary>The customer's full name from the call, or null.</summary>
    public string? CustomerName { get; init; }

    /// <summary>The appointment's date and time exactly as the template renders them; null for a kind without one.</summary>
    public string? AppointmentTime { get; init; }

    /// <summary>The client's booking_url: the one URL allowed.</summary>
    public string? BookingUrl { get; init; }

    /// <summary>The client's own SMS number (E.164), the one phone number allowed.</summary>
    public string? BusinessPhone { get; init; }

    /// <summary>The client's own email address (from its <c>email_from</c>), the one address allowed.</summary>
    public string? BusinessEmail { get; init; }

    /// <summary>The rendered template: numbers it holds are not the summary's personal data.</summary>
    public string Template { get; init; } = "";

    /// <summary>What the call said (summary, intent, notes together): personal data in it must not reach the text.</summary>
    public string? CallContext { get; init; }
}
