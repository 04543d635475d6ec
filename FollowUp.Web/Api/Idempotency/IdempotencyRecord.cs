namespace FollowUp.Web.Api.Idempotency;

/// <summary>A key's row: the request it was first used with and, once that finished, its response (status null while in flight).</summary>
internal sealed record IdempotencyRecord(string RequestHash, int? Status, string? ContentType, string? Location, byte[]? Body);
