using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// Describes the request body of webhook actions that read it raw (signatures are over its bytes, so it
/// is never bound): the type named by their <c>[Consumes(typeof(T), …)]</c>, which MVC's API explorer
/// only knows for bound bodies.
/// </summary>
internal sealed class RawBodyOpenApi : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (operation.RequestBody is not null
            || context.Description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>().FirstOrDefault() is not { RequestType: { } type } accepts)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = !accepts.IsOptional,
            Content = accepts.ContentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = schema }),
        };
    }
}
