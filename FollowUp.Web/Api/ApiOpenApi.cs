using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FollowUp.Web.Api;

/// <summary>
/// The /api half of the OpenAPI document: the Bearer scheme every /api operation requires (so the
/// reference at /api/docs asks the reader for their key), and the problem-details shape of its errors
/// (401 always; the 4XX range for the rest, which each endpoint's own metadata may name more precisely).
/// </summary>
internal sealed class ApiOpenApi : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string Scheme = "Bearer";

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

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true)
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] });
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken);
        var validation = await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), null, cancellationToken);
        operation.Responses ??= [];
        operation.Responses.TryAdd("401", Problem("No API key, or a wrong one.", problem));
        operation.Responses.TryAdd("422", Problem("Invalid fields or parameters, each listed under errors with why.", validation));
        operation.Responses.TryAdd("4XX", Problem("Refused (400 malformed JSON, 404 unknown, 409 conflict): nothing changed.", problem));
    }

    private static OpenApiResponse Problem(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
    };
}
