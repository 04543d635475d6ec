namespace FollowUp.Jobs.Clients;

/// <summary>
/// The words a customer replies with to act on a booked appointment, per client. Matching ignores case
/// and whitespace ("c", " C ", "con firm" match C and CONFIRM) and a trailing full stop or exclamation
/// mark. A reply acts only when it answers a message about a booked appointment that has not begun.
/// </summary>
public sealed record ReplyKeywords
{
    /// <summary>The defaults: C, YES, CONFIRM confirm; CANCEL cancels; R, RESCHEDULE ask to reschedule.</summary>
    public static readonly ReplyKeywords Default = new();

    public IReadOnlyList<string> Confirm { get; init; } = ["C", "YES", "CONFIRM"];

    public IReadOnlyList<string> Cancel { get; init; } = ["CANCEL"];

    public IReadOnlyList<string> Reschedule { get; init; } = ["R", "RESCHEDULE"];

    /// <summary>A reply as it is compared: whitespace removed, upper case, no trailing "." or "!".</summary>
    public static string Normalize(string? reply) =>
        string.Concat((reply ?? "").Where(c => !char.IsWhiteSpace(c))).TrimEnd('.', '!').ToUpperInvariant();

    /// <summary>What <paramref name="reply"/> asks for, or null when it is none of the keywords.</summary>
    public ReplyIntent? Match(string? reply)
    {
        var word = Normalize(reply);
        if (word.Length == 0)
        {
            return null;
        }

        bool In(IReadOnlyList<string> words) => words.Any(w => string.Equals(Normalize(w), word, StringComparison.Ordinal));
        return In(Confirm) ? ReplyIntent.Confirm : In(Cancel) ? ReplyIntent.Cancel : In(Reschedule) ? ReplyIntent.Reschedule : null;
    }
}
