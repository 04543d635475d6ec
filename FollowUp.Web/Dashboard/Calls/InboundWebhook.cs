using NodaTime;

namespace FollowUp.Web.Dashboard.Calls;

/// <summary>A row of the <c>inbound_webhooks</c> journal.</summary>
internal sealed record InboundWebhook(
    long Id, string Source, string ClientId, string EventId, string? CallId, string? Outcome, string RawBody, string Status,
    int Attempts, string? Error, Instant ReceivedAt, Instant? ProcessedAt);
