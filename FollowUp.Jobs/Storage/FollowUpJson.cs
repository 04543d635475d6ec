using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// FollowUp's JSON, for the HTTP contracts and what is stored of them: snake_case, unknown properties
/// rejected (a typo is an error, not a silent default), <c>required</c> not enforced by the serializer
/// (a missing field reaches the validator and is reported with every other problem), Instants as ISO 8601.
/// </summary>
public static class FollowUpJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new InstantJsonConverter());
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers = { info => { foreach (var p in info.Properties) { p.IsRequired = false; } } },
        };
        return options;
    }
}
