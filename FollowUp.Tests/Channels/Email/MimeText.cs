using System.Net.Mime;
using System.Text;
using System.Text.RegularExpressions;

namespace FollowUp.Tests.Channels.Email;

/// <summary>
/// Just enough MIME reading to assert on what System.Net.Mail wrote: unfolded top-level headers (RFC 2047
/// words decoded) and the decoded body of the part with a given content type.
/// </summary>
internal static partial class MimeText
{
    public static string? Header(string raw, string name)
    {
        var head = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var unfolded = FoldRegex().Replace(head, " ");
        foreach (var line in unfolded.Split("\r\n"))
        {
            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            {
                return DecodeWords(line[(name.Length + 1)..].Trim());
            }
        }

        return null;
    }

    public static string? Part(string raw, string contentType)
    {
        foreach (var (headers, body) in Parts(raw))
        {
            var type = Header(headers + "\r\n\r\n", "Content-Type");
            if (type is not null && type.StartsWith(contentType, StringComparison.OrdinalIgnoreCase))
            {
                var encoding = Header(headers + "\r\n\r\n", "Content-Transfer-Encoding") ?? "7bit";
                return Decode(body, encoding);
            }
        }

        return null;
    }

    private static IEnumerable<(string Headers, string Body)> Parts(string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = raw[..split];
        var body = raw[(split + 4)..];
        var type = Header(raw, "Content-Type") ?? "text/plain";
        if (!type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            yield return (headers, body);
            yield break;
        }

        var boundary = new ContentType(type).Boundary!;
        foreach (var chunk in body.Split("--" + boundary).Skip(1))
        {
            if (chunk.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }

            foreach (var part in Parts(chunk.TrimStart('\r', '\n')))
            {
                yield return part;
            }
        }
    }

    private static string Decode(string body, string transferEncoding)
    {
        body = body.EndsWith("\r\n", StringComparison.Ordinal) ? body[..^2] : body;
        return transferEncoding.ToLowerInvariant() switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "", StringComparison.Ordinal))),
            "quoted-printable" => DecodeQuotedPrintable(body),
            _ => body,
        };
    }

    private static string DecodeQuotedPrintable(string body)
    {
        var soft = body.Replace("=\r\n", "", StringComparison.Ordinal);
        var bytes = new List<byte>();
        for (var i = 0; i < soft.Length; i++)
        {
            if (soft[i] == '=' && i + 2 < soft.Length)
            {
                bytes.Add(Convert.ToByte(soft.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(soft[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    // RFC 2047 encoded words, as System.Net.Mail writes them for UTF-8 headers (B or Q encoding).
    private static string DecodeWords(string value) =>
        EncodedWordRegex().Replace(value, m =>
        {
            var charset = Encoding.GetEncoding(m.Groups["charset"].Value);
            var text = m.Groups["text"].Value;
            return m.Groups["enc"].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? charset.GetString(Convert.FromBase64String(text))
                : DecodeQuotedPrintable(text.Replace('_', ' '));
        });

    [GeneratedRegex("\r\n[ \t]+")]
    private static partial Regex FoldRegex();

    [GeneratedRegex(@"=\?(?<charset>[^?]+)\?(?<enc>[BbQq])\?(?<text>[^?]*)\?=")]
    private static partial Regex EncodedWordRegex();
}
