using FollowUp.Jobs.Templates;

namespace FollowUp.Jobs.Clients;

/// <summary>
/// How a client sends one kind of follow-up (<see cref="MessageKind"/>): whether it is on,
/// whether it also goes by email, and its templates. A null template uses the built-in one
/// (<see cref="Templates.DefaultTemplates"/>). Templates are checked when saved: an unknown placeholder is
/// a validation error then, never a surprise at send time.
/// </summary>
public sealed record FollowUpSettings
{
    /// <summary>Off: the planner plans nothing of this kind.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Also by email, when the client's <c>email_enabled</c> is on and the customer has an address.</summary>
    public bool Email { get; init; } = true;

    public string? Sms { get; init; }

    public string? EmailSubject { get; init; }

    public string? EmailBody { get; init; }
}
