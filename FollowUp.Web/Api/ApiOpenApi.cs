using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FollowUp.Web.Api;

/// <summary>
/// The /api half of the OpenAPI document: the Bearer scheme every /api operation requires (so the
/// reference at /api/docs asks the reader for their key), and one description per refusal status. The
/// refusals themselves — 401 and each status an endpoint can really answer with, typed as problem
/// details — are the endpoints' own declarations (<see cref="ApiProblems.Refuses"/>).
/// </summary>
internal sealed class ApiOpenApi : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string Scheme = "Bearer";

    // What each declared refusal means, the same words on every operation (the status and the problem's title and detail say the rest).
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["401"] = "No API key, or a wrong one.",
        ["400"] = "Malformed: JSON that does not parse, an unknown property, or a parameter of the wrong type. Nothing changed.",
        ["404"] = "Unknown: no such client, message, call, appointment or dead letter. Nothing changed.",
        ["409"] = "Conflict with the current state (already cancelled, already resolved, not requeueable), or a request with this Idempotency-Key still in flight. Nothing changed.",
        ["422"] = "Invalid fields or parameters, each listed under errors with why (also a bad Idempotency-Key, or the key reused with another body). Nothing changed.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key from FollowUp:Api:Keys, sent as 'Authorization: Bearer <key>'.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true)
        {
            return Task.CompletedTask;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] });
        operation.Responses ??= [];
        foreach (var (status, response) in operation.Responses)
        {
            if (Descriptions.TryGetValue(status, out var description) && response is OpenApiResponse declared
                && (string.IsNullOrEmpty(declared.Description) || declared.Description == ReasonPhrase(status)))
            {
                declared.Description = description;
            }
        }

        return Task.CompletedTask;
    }

    private static string ReasonPhrase(string status) =>
        int.TryParse(status, System.Globalization.CultureInfo.InvariantCulture, out var code) ? Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code) : "";
}
