using System.Text.Json;

namespace FollowUp.Jobs.Engine;

/// <summary>How job arguments are written to and read from the <c>args</c> jsonb column.</summary>
internal static class JobSerializer
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static string Serialize(object args, Type argsType) => JsonSerializer.Serialize(args, argsType, Options);

    public static object Deserialize(string json, Type argsType) =>
        JsonSerializer.Deserialize(json, argsType, Options)
        ?? throw new PermanentJobException($"Arguments deserialised to null for {argsType}.");
}
