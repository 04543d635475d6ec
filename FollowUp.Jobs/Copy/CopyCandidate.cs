using NodaTime;

namespace FollowUp.Jobs.Copy;

/// <summary>A message the model may rewrite: scheduled, not yet due, still the template's.</summary>
internal sealed record CopyCandidate(long Id, string Kind, string Channel, string Body, Instant ScheduledFor);
