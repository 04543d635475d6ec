namespace FollowUp.Web.Api.Idempotency;

/// <summary>Endpoint metadata: the endpoint creates something, so it honours <c>Idempotency-Key</c> (<see cref="IdempotencyMiddleware"/>).</summary>
internal sealed class IdempotencyKeyMetadata
{
    public static readonly IdempotencyKeyMetadata Instance = new();
}
