using System.Text.Json;
using System.Text.Json.Serialization;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// A <see cref="Channel"/> on the wire is its name, <c>"sms"</c> or <c>"email"</c>. Reading anything else
/// is a <see cref="JsonException"/>; requests that name a channel carry it as a string and their validator
/// reports an unknown one per field, so this only reads what FollowUp itself wrote.
/// </summary>
public sealed class ChannelJsonConverter : JsonConverter<Channel>
{
    public override Channel Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return Channel.TryParse(name, out var channel) ? channel : throw new JsonException($"'{name}' is not a channel (sms or email).");
    }

    public override void Write(Utf8JsonWriter writer, Channel value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Name);
    }
}
