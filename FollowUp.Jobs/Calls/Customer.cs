namespace FollowUp.Jobs.Calls;

/// <summary>The caller as the domain reads it (see <see cref="Call"/>).</summary>
/// <param name="Name">As given, or null.</param>
/// <param name="Phone">E.164: "+1 (212) 555-0123" and "+12125550123" are one customer.</param>
/// <param name="Email">As given, or null.</param>
public sealed record Customer(string? Name, string Phone, string? Email);
