using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// <see cref="Instant"/> in JSON as ISO 8601 UTC ("2026-11-25T19:00:00Z"); reading also accepts an
/// offset. Without it System.Text.Json would write an Instant as an empty object.
/// </summary>
public sealed class InstantJsonConverter : JsonConverter<Instant>
{
    public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        var result = OffsetDateTimePattern.ExtendedIso.Parse(text ?? "");
        return result.Success
            ? result.Value.ToInstant()
            : throw new JsonException($"'{text}' is not an ISO 8601 time with an offset.");
    }

    public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(InstantPattern.ExtendedIso.Format(value));
    }
}
