namespace FollowUp.Web.Api.Idempotency;

internal static class IdempotencyEndpointExtensions
{
    /// <summary>
    /// The endpoint takes <c>Idempotency-Key</c>: a retry with the same key and body gets the first
    /// response. The key's own refusals are declared: 409 while the first request is in flight, 422 a
    /// key too long or repeated, or the same key with a different body.
    /// </summary>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(IdempotencyKeyMetadata.Instance).Refuses(StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

    /// <summary>Honours <c>Idempotency-Key</c> on endpoints marked <see cref="WithIdempotencyKey"/>; after authorization.</summary>
    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app) => app.UseMiddleware<IdempotencyMiddleware>();
}
