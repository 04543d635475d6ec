namespace FollowUp.Jobs.Messages;

/// <summary>What an inbound SMS asks for, by the carriers' standard keywords.</summary>
public enum InboundKeyword
{
    None,
    Stop,
    Start,
    /// <summary>HELP or INFO: answered with the client's <c>help_text</c> when it has one.</summary>
    Help,
}

/// <summary>
/// Classifies an inbound SMS: the whole message, trimmed, in any case, must be the keyword ("stop"
/// opts out; "please stop texting me" is recorded but not acted on, as carriers do).
/// </summary>
public static class InboundKeywords
{
    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase) { "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT" };
    private static readonly HashSet<string> StartWords = new(StringComparer.OrdinalIgnoreCase) { "START", "YES", "UNSTOP" };

    public static InboundKeyword Classify(string? body)
    {
        var word = (body ?? "").Trim();
        if (StopWords.Contains(word))
        {
            return InboundKeyword.Stop;
        }

        if (StartWords.Contains(word))
        {
            return InboundKeyword.Start;
        }

        return word.Equals("HELP", StringComparison.OrdinalIgnoreCase) || word.Equals("INFO", StringComparison.OrdinalIgnoreCase)
            ? InboundKeyword.Help
            : InboundKeyword.None;
    }
}
