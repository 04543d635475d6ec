using NodaTime;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>A provider: messages sent today (UTC); failovers away from it in the last 24 hours, the last one's error.</summary>
internal sealed record ProviderHealth(string Provider, long Sent, long Failovers, Instant? LastFailoverAt, string? LastError);
