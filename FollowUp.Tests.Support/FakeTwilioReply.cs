namespace FollowUp.Tests.Support;

/// <summary>One scripted answer of <see cref="FakeTwilioServer"/>.</summary>
public sealed record FakeTwilioReply
{
    public int Status { get; init; } = 201;

    /// <summary>Twilio error code for an error reply (its JSON <c>code</c>), or null for a created message.</summary>
    public int? ErrorCode { get; init; }

    public string ErrorMessage { get; init; } = "";

    /// <summary>A raw body to send instead of the JSON Twilio would (a proxy's HTML page, say).</summary>
    public string? RawBody { get; init; }

    /// <summary>Wait this long before answering (longer than the client's timeout to simulate one).</summary>
    public TimeSpan Delay { get; init; }

    public string NumSegments { get; init; } = "1";

    /// <summary>Twilio's price string: negative, or null until the message is priced.</summary>
    public string? Price { get; init; }

    public string PriceUnit { get; init; } = "USD";

    /// <summary>The SID to answer with (a new one when null), so a test can call back with it before the answer.</summary>
    public string? Sid { get; init; }

    /// <summary>Stored without a DateSent, as a message still in Twilio's queue (the list's DateSent filter misses it).</summary>
    public bool Queued { get; init; }

    /// <summary>When set, the answer waits for it: the test decides when Twilio's reply reaches us.</summary>
    public Task? Gate { get; init; }

    public static FakeTwilioReply Created(string numSegments = "1", string? price = null) =>
        new() { NumSegments = numSegments, Price = price };

    /// <summary>An error in Twilio's shape: <c>{"code", "message", "more_info", "status"}</c>.</summary>
    public static FakeTwilioReply Error(int status, int code, string message) =>
        new() { Status = status, ErrorCode = code, ErrorMessage = message };

    public static FakeTwilioReply TooManyRequests() =>
        Error(429, 20429, "Too Many Requests");

    public static FakeTwilioReply ServerError() =>
        new() { Status = 500, RawBody = "<html><body>500 Internal Server Error</body></html>" };

    public static FakeTwilioReply Slow(TimeSpan delay) => new() { Delay = delay };
}
