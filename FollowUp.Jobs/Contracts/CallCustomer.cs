namespace FollowUp.Jobs.Contracts;

/// <summary>The caller on the wire: a phone as sent (required; E.164 once read, see <see cref="Calls.Customer"/>), a name and an email address (optional).</summary>
public sealed record CallCustomer
{
    public string? Name { get; init; }

    public string Phone { get; init; } = null!;

    public string? Email { get; init; }
}
