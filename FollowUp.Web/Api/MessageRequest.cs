namespace FollowUp.Web.Api;

/// <summary>An ad-hoc message: <c>POST /api/messages</c>.</summary>
internal sealed record MessageRequest
{
    public string? ClientId { get; init; }

    /// <summary><c>sms</c> or <c>email</c>.</summary>
    public string? Channel { get; init; }

    /// <summary>E.164 number for SMS, address for email.</summary>
    public string? To { get; init; }

    /// <summary>Required for email, absent for SMS.</summary>
    public string? Subject { get; init; }

    public string? Body { get; init; }

    /// <summary>ISO 8601 instant with an offset; absent or past means now.</summary>
    public DateTimeOffset? SendAt { get; init; }
}
