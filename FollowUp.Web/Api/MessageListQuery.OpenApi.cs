using System.Text.Json.Nodes;
using FollowUp.Jobs.Messages;
using Microsoft.OpenApi;

namespace FollowUp.Web.Api;

/// <summary>
/// <c>GET /api/messages</c>'s query parameters in the OpenAPI document: the endpoint parses them itself (to
/// name every bad one in one 422), so the framework cannot describe them; this says what <see cref="Parse"/> takes.
/// </summary>
internal static partial class MessageListQuery
{
    public static void Describe(OpenApiOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        operation.Parameters ??= [];
        Add(operation, "client_id", "Only this client's messages.", Text());
        Add(operation, "status", "Only messages in this status.", Text(Statuses));
        Add(operation, "kind", "Only messages of this kind.", Text(Kinds));
        Add(operation, "channel", "Only SMS or only email.", Text(["sms", "email"]));
        Add(operation, "to", "Only messages to this recipient: an email address, or a phone number in any form (matched as E.164).", Text());
        Add(operation, "q", $"Text in the body, the recipient or the customer's name ({MessageFilter.MinQueryLength}–{MessageFilter.MaxQueryLength} characters).",
            new OpenApiSchema { Type = JsonSchemaType.String, MinLength = MessageFilter.MinQueryLength, MaxLength = MessageFilter.MaxQueryLength });
        Add(operation, "from", "Scheduled at or after this time (ISO 8601 with an offset).", new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" });
        Add(operation, "until", "Scheduled before this time (ISO 8601 with an offset).", new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" });
        Add(operation, "before", "The next page: the previous page's next_before (messages with a smaller id).",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1" });
        Add(operation, "limit", $"Messages per page (default {DefaultLimit}).",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private static OpenApiSchema Text(IReadOnlyList<string>? values = null)
    {
        var schema = new OpenApiSchema { Type = JsonSchemaType.String };
        if (values is not null)
        {
            schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)!)];
        }

        return schema;
    }

    private static void Add(OpenApiOperation operation, string name, string description, OpenApiSchema schema)
    {
        if (operation.Parameters!.Any(p => p.Name == name))
        {
            return;
        }

        operation.Parameters!.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema });
    }
}
