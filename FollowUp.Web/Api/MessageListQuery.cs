using FluentValidation.Results;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using NodaTime;

namespace FollowUp.Web.Api;

/// <summary>
/// <c>GET /api/messages</c>'s query string parsed into a <see cref="MessageFilter"/>, or every problem
/// with it under its parameter's name.
/// </summary>
internal static partial class MessageListQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static readonly IReadOnlyList<string> Statuses =
    [
        MessageStatus.Scheduled, MessageStatus.Sending, MessageStatus.Sent, MessageStatus.Delivered, MessageStatus.Undelivered,
        MessageStatus.Failed, MessageStatus.Cancelled, MessageStatus.Skipped, MessageStatus.DeadLettered,
    ];

    public static readonly IReadOnlyList<string> Kinds =
    [
        MessageKind.Confirmation, MessageKind.Reminder24h, MessageKind.Reminder1h, MessageKind.NurtureDay1, MessageKind.NurtureDay4,
        MessageKind.Cancellation, MessageKind.MissedCall, MessageKind.AdHoc, MessageKind.Reply,
    ];

    public static (MessageFilter Filter, int Limit, List<ValidationFailure> Errors) Parse(IQueryCollection query)
    {
        var errors = new List<ValidationFailure>();
        string? Text(string name) => query[name].ToString() is { Length: > 0 } v ? v : null;

        var status = Text("status");
        if (status is not null && !Statuses.Contains(status))
        {
            errors.Add(new ValidationFailure("status", $"must be one of {string.Join(", ", Statuses)}"));
        }

        var kind = Text("kind");
        if (kind is not null && !Kinds.Contains(kind))
        {
            errors.Add(new ValidationFailure("kind", $"must be one of {string.Join(", ", Kinds)}"));
        }

        Channel? channel = null;
        if (Text("channel") is { } channelName && !Channel.TryParse(channelName, out channel))
        {
            errors.Add(new ValidationFailure("channel", "must be \"sms\" or \"email\""));
        }

        var to = Text("to");
        if (to is not null && !to.Contains('@', StringComparison.Ordinal))
        {
            // Numbers are stored as E.164; "+1 (212) 555-0123" finds them too.
            if (E164.TryNormalize(to, out var e164, out var problem))
            {
                to = e164;
            }
            else
            {
                errors.Add(new ValidationFailure("to", problem));
            }
        }

        var q = Text("q");
        if (q is not null && (q.Length < MessageFilter.MinQueryLength || q.Length > MessageFilter.MaxQueryLength))
        {
            errors.Add(new ValidationFailure("q", $"must be {MessageFilter.MinQueryLength} to {MessageFilter.MaxQueryLength} characters"));
        }

        var from = Time(Text("from"), "from", errors);
        var until = Time(Text("until"), "until", errors);
        var before = Number(Text("before"), "before", 1, long.MaxValue, errors);
        var limit = Number(Text("limit"), "limit", 1, MaxLimit, errors) ?? DefaultLimit;
        var filter = new MessageFilter
        {
            ClientId = Text("client_id"), Status = status, Kind = kind, Channel = channel, To = to, Query = q, From = from, Until = until,
            Before = before,
        };
        return (filter, (int)limit, errors);
    }

    private static Instant? Time(string? value, string name, List<ValidationFailure> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (CallTimes.TryParse(value, out var instant))
        {
            return instant;
        }

        errors.Add(new ValidationFailure(name, "must be an ISO 8601 time with an offset, such as 2026-11-25T14:00:00Z"));
        return null;
    }

    private static long? Number(string? value, string name, long min, long max, List<ValidationFailure> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n >= min && n <= max)
        {
            return n;
        }

        errors.Add(new ValidationFailure(name, $"must be a whole number from {min} to {max}"));
        return null;
    }
}
