using NodaTime;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>A row of <c>audit_log</c>; before and after are JSON text.</summary>
internal sealed record AuditEntry(long Id, string Actor, string Action, string Target, string? Before, string? After, Instant At);
