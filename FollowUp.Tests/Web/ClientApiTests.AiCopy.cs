using System.Net;
using System.Text.Json;

namespace FollowUp.Tests.Web;

/// <summary>ai_copy: stored and read back with its defaults, validated on save (422 naming the field, nothing stored).</summary>
public sealed partial class ClientApiTests
{
    [Test]
    public async Task Put_AiCopy_IsStoredAndReturnedWithDefaults()
    {
        var json = AcmeJson.Replace("\"name\": \"Acme Dental\",",
            "\"name\": \"Acme Dental\", \"ai_copy\": { \"enabled\": true, \"kinds\": [\"reminder_24h\"], \"tone\": \"warm, brief\", \"instructions\": \"Sign off as the Acme team.\" },",
            StringComparison.Ordinal);

        var response = await Put("acme-dental", json);
        var answer = await response.Content.ReadAsStringAsync();
        using var read = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative)));
        var ai = read.RootElement.GetProperty("ai_copy");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer);
            Assert.That(ai.GetProperty("enabled").GetBoolean(), Is.True);
            Assert.That(ai.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { "reminder_24h" }));
            Assert.That(ai.GetProperty("tone").GetString(), Is.EqualTo("warm, brief"));
            Assert.That(ai.GetProperty("instructions").GetString(), Is.EqualTo("Sign off as the Acme team."));
            Assert.That(ai.GetProperty("max_sms_chars").GetInt32(), Is.EqualTo(320));
            Assert.That(ai.GetProperty("email").GetBoolean(), Is.False);
            Assert.That(ai.GetProperty("max_wait_ms").GetInt32(), Is.Zero);
        });
    }

    [TestCase("\"kinds\": [\"birthday\"]", "ai_copy.kinds[0]")]
    [TestCase("\"kinds\": [\"reminder_1h\", \"reminder_1h\"]", "ai_copy.kinds[1]")]
    [TestCase("\"kinds\": []", "ai_copy.kinds")]
    [TestCase("\"instructions\": \"LONG\"", "ai_copy.instructions")]
    [TestCase("\"tone\": \"  \"", "ai_copy.tone")]
    [TestCase("\"max_sms_chars\": 20", "ai_copy.max_sms_chars")]
    [TestCase("\"max_wait_ms\": -1", "ai_copy.max_wait_ms")]
    [TestCase("\"max_wait_ms\": 60000", "ai_copy.max_wait_ms")]
    public async Task Put_AiCopyInvalid_422NamesTheField_NothingStored(string field, string expected)
    {
        field = field.Replace("LONG", new string('x', 501), StringComparison.Ordinal);
        var response = await Put("acme-dental", AcmeJson.Replace("\"name\": \"Acme Dental\",",
            $"\"name\": \"Acme Dental\", \"ai_copy\": {{ \"enabled\": true, {field} }},", StringComparison.Ordinal));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), problem.RootElement.ToString());
            Assert.That(problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { expected }));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }
}
