namespace FollowUp.Web.Api.Idempotency;

internal static class IdempotencyEndpointExtensions
{
    /// <summary>The endpoint takes <c>Idempotency-Key</c>: a retry with the same key and body gets the first response.</summary>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(IdempotencyKeyMetadata.Instance);

    /// <summary>Honours <c>Idempotency-Key</c> on endpoints marked <see cref="WithIdempotencyKey"/>; after authorization.</summary>
    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app) => app.UseMiddleware<IdempotencyMiddleware>();
}
