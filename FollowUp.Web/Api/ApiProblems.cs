using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace FollowUp.Web.Api;

/// <summary>
/// What each /api endpoint declares about its refusals, for the OpenAPI document: every status it can
/// really answer with, as a problem document (RFC 7807) — 422 as validation problem details, whose
/// <c>errors</c> name each field, every other status as problem details. 401 is declared once per
/// group (every /api endpoint needs the key); 500 is left out (no caller can act on it differently).
/// </summary>
internal static class ApiProblems
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>
    /// Declares <paramref name="statuses"/>. A status already declared for the endpoint (the
    /// Idempotency-Key's 409 and 422, say) is not declared twice.
    /// </summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            foreach (var status in statuses)
            {
                if (endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status))
                {
                    continue;
                }

                var type = status == StatusCodes.Status422UnprocessableEntity ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails);
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, type, [ProblemJson]));
            }
        });
        return builder;
    }
}
