using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>A provider over the last 24 hours.</summary>
internal sealed record ProviderHealth(string Provider, long Sent, long Failovers, Instant? LastFailoverAt, string? LastError, Instant? LastSentAt);
