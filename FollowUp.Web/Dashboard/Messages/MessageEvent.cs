using NodaTime;

namespace FollowUp.Web.Dashboard.Messages;

/// <summary>A row of <c>message_events</c>: failovers, possible double sends, edits, provider callbacks.</summary>
internal sealed record MessageEvent(long Id, Instant At, string Event, string? Detail);
