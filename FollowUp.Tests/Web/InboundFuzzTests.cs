using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>
/// A bounded fuzz of every inbound door (issue #17 §5): from a fixed seed, a few hundred mutations of a
/// valid body per door — one field replaced by a hostile value or removed, the body cut short, the
/// signature tampered with — each signed as its sender signs, so the mutation reaches the parser. No
/// answer may be a 5xx; every refusal is a problem document and writes nothing.
/// </summary>
public sealed class InboundFuzzTests
{
    private const int Seed = 20261117;
    private const int Mutations = 300;
    private const string Hole = "__fuzz_hole__";

    // JSON texts put in place of one value.
    private static readonly string[] JsonValues =
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udfff\"", "\"\\udbff\\udfff\"", "true", "false", "null", "0", "-1", "1.5",
        "1e308", "-1e308", "99999999999999999999999", "9223372036854775807", "-9223372036854775808", "\"\"", "\" \"", "{}", "[]",
        "[null]", "{\"a\":\"\\u0000\"}", "\"" + new string('x', 5000) + "\"", "\"2026-13-45T99:99:99Z\"", "\"0001-01-01T00:00:00Z\"",
        "\"9999-12-31T23:59:59+14:00\"", "\"+999\"", "\"+12125550123\\u0000\"", "\"\\uffff\"", "\"\\u202e\"", "\"😀\"",
        "\"'; drop table messages; --\"", "\"booked\"", "\"no_answer\"", "\"call_analyzed\"", "\"bounce\"",
    ];

    // Form values put in place of one field's value.
    private static readonly string[] FormValues =
    [
        "\0", "a\0b", "", " ", new string('x', 5000), "\uFFFD", "😀", "-1", "0", "99999999999999999999", "99999999999.5", "-1e400",
        "NaN", "abc", "+999", "+12125550123\0", "no-answer", "busy", "completed", "delivered", "failed", "undelivered", "STOP", "HELP",
        "Tue, 31 Dec 9999 23:59:59 +0000", "0001-01-01", "machine_start",
    ];

    public enum Door
    {
        Calls,
        Retell,
        TwilioVoice,
        TwilioStatus,
        TwilioInbound,
        SendGrid,
        ApiMessages,
        ApiClients,
    }

    private InboundDoors _doors = null!;

    [SetUp]
    public async Task SetUp() => _doors = await InboundDoors.StartAsync();

    [TearDown]
    public async Task TearDown() => await _doors.DisposeAsync();

    [TestCase(Door.Calls)]
    [TestCase(Door.Retell)]
    [TestCase(Door.TwilioVoice)]
    [TestCase(Door.TwilioStatus)]
    [TestCase(Door.TwilioInbound)]
    [TestCase(Door.SendGrid)]
    [TestCase(Door.ApiMessages)]
    [TestCase(Door.ApiClients)]
    public async Task MutatedSignedBodies_NeverA5xx_RefusalsAreProblemsAndWriteNothing(Door door)
    {
        var random = new Random(Seed + (int)door);
        var defects = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        for (var i = 0; i < Mutations; i++)
        {
            var before = await _doors.WrittenAsync();
            var (what, tampered, send) = Mutate(door, i, random);
            using var response = await send();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            var shown = text.Length > 300 ? text[..300] + "…" : text;
            if (status >= 500)
            {
                defects.Add($"#{i} {what}: {status} {shown}");
            }
            else if (tampered && status < 400)
            {
                defects.Add($"#{i} {what}: a tampered signature was accepted ({status})");
            }
            else if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    defects.Add($"#{i} {what}: {status} is not a problem document ({response.Content.Headers.ContentType}) {shown}");
                }

                if (await _doors.WrittenAsync() != before)
                {
                    defects.Add($"#{i} {what}: refused with {status} but wrote something");
                }
            }
        }

        TestContext.Out.WriteLine($"{door}, seed {Seed + (int)door}: " + string.Join(", ", statuses.Select(s => $"{s.Value}×{s.Key}")));
        Assert.That(defects, Is.Empty, $"{defects.Count} of {Mutations} mutations of {door}:\n" + string.Join('\n', defects));
    }

    private (string What, bool Tampered, Func<Task<HttpResponseMessage>> Send) Mutate(Door door, int i, Random random)
    {
        var tamper = random.Next(20) == 0;
        switch (door)
        {
            case Door.TwilioVoice or Door.TwilioStatus or Door.TwilioInbound:
            {
                var (path, form) = door switch
                {
                    Door.TwilioVoice => (InboundDoors.VoicePath, InboundDoors.VoiceForm($"CA{i:D32}")),
                    Door.TwilioStatus => (InboundDoors.StatusPath, InboundDoors.StatusForm($"SM{i:D32}")),
                    _ => (InboundDoors.InboundPath, InboundDoors.InboundForm(sid: $"SM{i:D32}")),
                };
                var (what, raw) = MutateForm(form, random);
                return (what + (tamper ? ", signature tampered" : ""), tamper, () => _doors.PostTwilioAsync(path, raw, tamper));
            }

            default:
            {
                var valid = door switch
                {
                    Door.Calls => InboundDoors.CallJson($"evt_{i}"),
                    Door.Retell => InboundDoors.RetellJson($"retell_call_{i}"),
                    Door.SendGrid => InboundDoors.SendGridJson(),
                    Door.ApiMessages => InboundDoors.MessageJson(),
                    _ => InboundDoors.ClientJson(),
                };
                var (what, body) = MutateJson(valid, random);
                Func<Task<HttpResponseMessage>> send = door switch
                {
                    Door.Calls => () => _doors.PostCallAsync(body, tamper),
                    Door.Retell => () => _doors.PostRetellAsync(body, tamper),
                    Door.SendGrid => () => _doors.PostSendGridAsync(body, tamper),
                    Door.ApiMessages => () => _doors.SendApiAsync(HttpMethod.Post, "/api/messages", body),
                    _ => () => _doors.SendApiAsync(HttpMethod.Put, $"/api/clients/fuzz-{i}", body),
                };
                // The API is signed by its key, not per body: nothing to tamper with.
                tamper &= door is Door.Calls or Door.Retell or Door.SendGrid;
                return (what + (tamper ? ", signature tampered" : ""), tamper, send);
            }
        }
    }

    private static (string What, byte[] Body) MutateJson(string valid, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(valid);
        var roll = random.Next(100);
        if (roll < 8)
        {
            var cut = random.Next(bytes.Length);
            return ($"cut to {cut} of {bytes.Length} bytes", bytes[..cut]);
        }

        if (roll < 11)
        {
            var at = random.Next(bytes.Length);
            var garbage = (byte)random.Next(256);
            return ($"byte {at} became 0x{garbage:x2}", [.. bytes[..at], garbage, .. bytes[(at + 1)..]]);
        }

        var root = JsonNode.Parse(valid)!;
        var nodes = new List<(JsonNode? Node, JsonNode Parent, string Path, string? Name, int Index)>();
        Collect(root, "", nodes);
        var (node, parent, path, name, index) = nodes[random.Next(nodes.Count)];
        if (roll < 25 && name is not null)
        {
            parent.AsObject().Remove(name);
            return ($"{path} removed", Encoding.UTF8.GetBytes(root.ToJsonString()));
        }

        var value = JsonValues[random.Next(JsonValues.Length)];
        if (name is not null)
        {
            parent[name] = Hole;
        }
        else
        {
            parent[index] = Hole;
        }

        var shown = value.Length > 40 ? value[..40] + "…" : value;
        return ($"{path} = {shown} (was {(node?.ToJsonString() is { Length: > 40 } s ? s[..40] + "…" : node?.ToJsonString())})",
            Encoding.UTF8.GetBytes(root.ToJsonString().Replace($"\"{Hole}\"", value, StringComparison.Ordinal)));
    }

    private static void Collect(JsonNode node, string path, List<(JsonNode?, JsonNode, string, string?, int)> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    var at = path.Length == 0 ? name : $"{path}.{name}";
                    into.Add((child, o, at, name, -1));
                    if (child is not null)
                    {
                        Collect(child, at, into);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    into.Add((a[i], a, $"{path}[{i}]", null, i));
                    if (a[i] is { } child)
                    {
                        Collect(child, $"{path}[{i}]", into);
                    }
                }

                break;
        }
    }

    private static (string What, string Raw) MutateForm(Dictionary<string, string> form, Random random)
    {
        var roll = random.Next(100);
        var keys = form.Keys.ToList();
        var key = keys[random.Next(keys.Count)];
        string what;
        if (roll < 8)
        {
            var raw = InboundDoors.Encode(form);
            var cut = random.Next(raw.Length);
            return ($"cut to {cut} of {raw.Length} characters", raw[..cut]);
        }

        if (roll < 12)
        {
            form["X\0" + key] = "1";
            what = "a field named with a NUL";
        }
        else if (roll < 25)
        {
            form.Remove(key);
            what = $"{key} removed";
        }
        else
        {
            var value = FormValues[random.Next(FormValues.Length)];
            form[key] = value;
            what = $"{key} = {Escape(value.Length > 40 ? value[..40] + "…" : value)}";
        }

        return (what, InboundDoors.Encode(form));
    }

    private static string Escape(string value) => value.Replace("\0", "\\0", StringComparison.Ordinal);
}
