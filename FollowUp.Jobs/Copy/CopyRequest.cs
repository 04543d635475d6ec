using NodaTime;

namespace FollowUp.Jobs.Copy;

/// <summary>A call whose messages are to be rewritten (a <c>copy_requests</c> row); done once its job has tried each.</summary>
internal sealed record CopyRequest(long Id, string ClientId, string CallId, Instant? DoneAt);
