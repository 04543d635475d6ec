namespace FollowUp.Jobs.Clients;

/// <summary>
/// A client's AI-written follow-ups (<c>ai_copy</c>): whether Claude rewrites its planned messages from what the
/// call said, which kinds, in what tone, how long an SMS may be, and whether a confirmation due now may wait
/// for it. Every text still passes the guardrails before it replaces a template; with no
/// <c>FollowUp:Ai:ApiKey</c> the feature is off whatever this says.
/// </summary>
public sealed record AiCopySettings
{
    /// <summary>Off unless set.</summary>
    public bool Enabled { get; init; }

    /// <summary>The kinds rewritten; null (absent): every planned kind (<see cref="Templates.DefaultTemplates.Kinds"/>).</summary>
    public IReadOnlyList<string>? Kinds { get; init; }

    /// <summary>A few words for the model ("warm, brief"), at most <see cref="MaxToneLength"/> characters.</summary>
    public string? Tone { get; init; }

    /// <summary>The business's own short instructions for the model, at most <see cref="MaxInstructionsLength"/> characters.</summary>
    public string? Instructions { get; init; }

    /// <summary>The longest SMS the model may write, the opt-out line we append included (default 320: two GSM-7 segments).</summary>
    public int MaxSmsChars { get; init; } = DefaultMaxSmsChars;

    /// <summary>Whether email bodies are rewritten too (subjects never are).</summary>
    public bool Email { get; init; }

    /// <summary>
    /// How long a message due now (a confirmation) may wait for its rewrite, in milliseconds; 0 (default): it goes
    /// with the template at once. Reminders and nurture are hours or days away and always get their turn.
    /// </summary>
    public int MaxWaitMs { get; init; }

    public const int DefaultMaxSmsChars = 320;
    public const int MaxToneLength = 100;
    public const int MaxInstructionsLength = 500;
    public const int MinSmsChars = 70;
    public const int MaxSmsCharsLimit = 1600;
    public const int MaxWaitMsLimit = 10_000;

    /// <summary>Whether <paramref name="kind"/> is one this client has rewritten.</summary>
    public bool Covers(string kind) => Enabled && (Kinds ?? Templates.DefaultTemplates.Kinds).Contains(kind, StringComparer.Ordinal);
}
