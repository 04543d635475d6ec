using NodaTime;

namespace FollowUp.Web.Dashboard.Messages;

/// <summary>A messages list row, with its client's name and who wrote its body (<c>template</c> or <c>ai</c>).</summary>
internal sealed record MessageRow(
    long Id, string ClientId, string ClientName, string? CallId, string Kind, string Channel, string Recipient, string? Subject,
    string Body, Instant ScheduledFor, string Status, string? SkipReason, string? Provider, string? ProviderMessageId,
    int? Segments, decimal? Cost, string? Currency, string? Error, long? JobId, Instant? SentAt, string WrittenBy);
