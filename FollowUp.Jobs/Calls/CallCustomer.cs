namespace FollowUp.Jobs.Calls;

/// <summary>The caller: an E.164 phone (required), a name and an email address (optional).</summary>
public sealed record CallCustomer
{
    public string? Name { get; init; }

    public string Phone { get; init; } = null!;

    public string? Email { get; init; }
}
