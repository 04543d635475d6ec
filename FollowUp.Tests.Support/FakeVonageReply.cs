namespace FollowUp.Tests.Support;

/// <summary>One scripted answer of <see cref="FakeVonageServer"/>.</summary>
public sealed record FakeVonageReply
{
    /// <summary>The HTTP status (Vonage answers 200 with a per-message status, even for most refusals).</summary>
    public int HttpStatus { get; init; } = 200;

    /// <summary>The <c>messages[].status</c> code: "0" queued, else Vonage's error code.</summary>
    public string Status { get; init; } = "0";

    /// <summary>The <c>error-text</c> of a refusal.</summary>
    public string ErrorText { get; init; } = "";

    /// <summary>Parts the message is split into (one <c>messages[]</c> entry each).</summary>
    public int Parts { get; init; } = 1;

    /// <summary>Wait this long before answering (past the client's timeout: a hang).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Whether Vonage queues the message before it answers (its phone gets it whatever becomes of the answer).
    /// Null: when the answer is a 200 with status "0".
    /// </summary>
    public bool? Stored { get; init; }

    /// <summary>A raw body instead of Vonage's JSON (a proxy's page).</summary>
    public string? RawBody { get; init; }

    public static FakeVonageReply Accepted(int parts = 1) => new() { Parts = parts };

    /// <summary>A refusal in Vonage's shape: HTTP 200, <c>{"message-count":"1","messages":[{"status", "error-text"}]}</c>.</summary>
    public static FakeVonageReply Refused(string status, string errorText) => new() { Status = status, ErrorText = errorText };

    /// <summary>An HTTP error with an HTML body, nothing queued (a load balancer's 503).</summary>
    public static FakeVonageReply HttpError(int status) => new() { HttpStatus = status, RawBody = $"<html><body>{status}</body></html>", Stored = false };

    /// <summary>Queued, then no answer for <paramref name="delay"/>: the request went out and only the answer is lost.</summary>
    public static FakeVonageReply QueuedThenHang(TimeSpan delay) => new() { Delay = delay, Stored = true };
}

/// <summary>A request as <see cref="FakeVonageServer"/> received it.</summary>
/// <param name="ContentType">Its content type.</param>
/// <param name="Form">Its form fields (api_key, api_secret, from, to, text, client-ref, type, callback).</param>
/// <param name="MessageIds">The message ids Vonage gave its parts, when it queued it.</param>
public sealed record FakeVonageRequest(string? ContentType, IReadOnlyDictionary<string, string> Form, IReadOnlyList<string> MessageIds)
{
    public string Field(string name) => Form.TryGetValue(name, out var value) ? value : "";
}
