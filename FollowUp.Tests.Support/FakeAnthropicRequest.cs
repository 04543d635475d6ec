using System.Text.Json;

namespace FollowUp.Tests.Support;

/// <summary>One request <see cref="FakeAnthropicServer"/> received: its headers (lower-case names), raw body and parsed JSON.</summary>
public sealed record FakeAnthropicRequest(IReadOnlyDictionary<string, string> Headers, string RawBody, JsonElement Json)
{
    /// <summary>The system prompt as sent (a string, or the text of its blocks).</summary>
    public string System => Json.TryGetProperty("system", out var s)
        ? s.ValueKind == JsonValueKind.String ? s.GetString()! : string.Concat(s.EnumerateArray().Select(b => b.GetProperty("text").GetString()))
        : "";

    /// <summary>The user turn's text as sent.</summary>
    public string User
    {
        get
        {
            var content = Json.GetProperty("messages")[0].GetProperty("content");
            return content.ValueKind == JsonValueKind.String
                ? content.GetString()!
                : string.Concat(content.EnumerateArray().Select(b => b.GetProperty("text").GetString()));
        }
    }
}
