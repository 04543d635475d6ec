namespace FollowUp.Tests.Support;

/// <summary>One scripted answer of <see cref="FakeAnthropicServer"/>: a message with text and usage, or an error status.</summary>
public sealed record FakeAnthropicReply
{
    public int Status { get; init; } = 200;

    /// <summary>The assistant's text (for a 200).</summary>
    public string Text { get; init; } = "";

    public int InputTokens { get; init; } = 420;

    public int OutputTokens { get; init; } = 60;

    /// <summary>Waited before answering (a slow model).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>A 200 with <paramref name="text"/> and the usage the API reports.</summary>
    public static FakeAnthropicReply Message(string text, int inputTokens = 420, int outputTokens = 60) =>
        new() { Text = text, InputTokens = inputTokens, OutputTokens = outputTokens };

    /// <summary>429 rate_limit_error.</summary>
    public static FakeAnthropicReply RateLimited() => new() { Status = 429 };

    /// <summary>529 overloaded_error.</summary>
    public static FakeAnthropicReply Overloaded() => new() { Status = 529 };
}
