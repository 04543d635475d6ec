using System.Text;
using System.Text.Json;

namespace FollowUp.Web.Api;

/// <summary>
/// The one rule every string from the wire passes before anything reads it (JSON bodies, Twilio's forms,
/// query strings, route values): it must be text we can store and decode. Two things are not:
/// a NUL character (U+0000), which PostgreSQL's <c>text</c> refuses (22021), and a lone UTF-16 surrogate
/// (<c>"\ud800"</c> in JSON), which is no character at all (<see cref="JsonElement.GetString"/> throws on it).
/// A request carrying either is refused with a 400 naming each field, before it is journaled or applied.
/// </summary>
internal static class WireText
{
    public const string Nul = "must not contain a NUL character (U+0000)";
    public const string LoneSurrogate = "must be valid Unicode text: it holds a lone UTF-16 surrogate (such as \\ud800) or invalid UTF-8";

    /// <summary>Why <paramref name="value"/> cannot be taken as text, or null when it can.</summary>
    public static string? ProblemWith(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return Nul;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return LoneSurrogate;
            }
        }

        return null;
    }

    /// <summary>
    /// Each string (value or property name) of a JSON document that is not text, by its path
    /// (<c>appointment.id</c>, <c>[0].reason</c>, <c>business_hours.mon[1]</c>). A document that is not JSON
    /// at all has none here: the door's own parser answers that.
    /// </summary>
    public static Dictionary<string, string[]> FindInJson(ReadOnlySpan<byte> utf8)
    {
        var found = new Dictionary<string, string[]>(StringComparer.Ordinal);
        // The path to the current token: one entry per open object or array, its property name or next index.
        var path = new List<(bool Array, string Name, int Index)>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(path);
                        path.Add((reader.TokenType == JsonTokenType.StartArray, "", -1));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = Decode(ref reader, out var nameProblem);
                        path[^1] = (false, name ?? "", -1);
                        if (nameProblem is not null)
                        {
                            found.TryAdd(Format(path, upToParent: true) is { Length: > 0 } parent ? parent : "$", [$"has a property name that {nameProblem}"]);
                        }

                        break;
                    case JsonTokenType.String:
                        Advance(path);
                        _ = Decode(ref reader, out var problem);
                        if (problem is not null)
                        {
                            found.TryAdd(Format(path, upToParent: false) is { Length: > 0 } field ? field : "$", [problem]);
                        }

                        break;
                    default:
                        Advance(path);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: what was found so far stands; the parser that comes next says where the JSON breaks.
        }

        return found;
    }

    /// <summary>Each form field whose name or value is not text, by its name.</summary>
    public static Dictionary<string, string[]> FindInForm(IEnumerable<KeyValuePair<string, string>> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var found = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in form)
        {
            if (ProblemWith(name) is { } nameProblem)
            {
                found.TryAdd(Printable(name), [$"is a field name that {nameProblem}"]);
            }
            else if (ProblemWith(value) is { } problem)
            {
                found.TryAdd(name, [problem]);
            }
        }

        return found;
    }

    /// <summary>400: the fields in <paramref name="errors"/> are not text; nothing was recorded.</summary>
    public static IResult Problem(Dictionary<string, string[]> errors) =>
        Problem(errors, "Text that cannot be stored", "Each field named holds a NUL character or invalid Unicode; nothing was recorded.");

    /// <summary>400 naming each field in <paramref name="errors"/>, for a value no column can hold.</summary>
    public static IResult Problem(Dictionary<string, string[]> errors, string title, string detail) =>
        // Written as JSON directly (as ApiJson.ValidationProblem is): MVC's writer would drop "errors".
        TypedResults.Json(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = title,
            Detail = detail,
        }, ApiJson.Options, "application/problem+json", StatusCodes.Status400BadRequest);

    // A name shown in a problem must itself be text: a NUL or lone surrogate becomes U+FFFD.
    private static string Printable(string name)
    {
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                text.Append(c).Append(name[++i]);
            }
            else
            {
                text.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return text.ToString();
    }

    private static string? Decode(ref Utf8JsonReader reader, out string? problem)
    {
        string? text;
        try
        {
            text = reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape or invalid UTF-8: the reader cannot make a string of it.
            problem = LoneSurrogate;
            return null;
        }

        problem = ProblemWith(text);
        return problem is null ? text : Printable(text!);
    }

    // A value inside an array takes the array's next index.
    private static void Advance(List<(bool Array, string Name, int Index)> path)
    {
        if (path.Count > 0 && path[^1].Array)
        {
            path[^1] = path[^1] with { Index = path[^1].Index + 1 };
        }
    }

    private static string Format(List<(bool Array, string Name, int Index)> path, bool upToParent)
    {
        var text = new StringBuilder();
        var count = upToParent ? path.Count - 1 : path.Count;
        for (var i = 0; i < count; i++)
        {
            var (array, name, index) = path[i];
            if (array)
            {
                text.Append('[').Append(index).Append(']');
            }
            else if (name.Length > 0)
            {
                text.Append(text.Length > 0 ? "." : "").Append(name);
            }
        }

        return text.ToString();
    }
}
