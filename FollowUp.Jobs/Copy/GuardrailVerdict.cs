namespace FollowUp.Jobs.Copy;

/// <summary>
/// The guardrails' answer: the body to send (the model's text with our opt-out line where the kind needs it), or
/// the first check that failed (<see cref="Failed"/>, one of <see cref="Guardrails.Names"/>) and why.
/// </summary>
public sealed record GuardrailVerdict(string? Body, string? Failed, string? Why)
{
    public bool Passed => Failed is null;

    /// <summary>As recorded on the message when the template is kept: <c>guardrail:url</c>.</summary>
    public string? Reason => Failed is null ? null : "guardrail:" + Failed;
}
