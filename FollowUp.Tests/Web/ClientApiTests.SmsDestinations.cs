using System.Net;
using System.Text.Json;

namespace FollowUp.Tests.Web;

/// <summary>sms_countries, text_back_hourly_limit and sms_providers: defaults, stored and read back, validated on save.</summary>
public sealed partial class ClientApiTests
{
    private static string WithField(string json) => AcmeJson.Replace("\"name\": \"Acme Dental\",", $"\"name\": \"Acme Dental\", {json},", StringComparison.Ordinal);

    [Test]
    public async Task Put_SmsCountriesAndTextBackLimit_StoredAndReturned_DefaultsWhenAbsent()
    {
        var response = await Put("acme-dental", WithField("\"sms_countries\": [\"US\", \"CA\"], \"text_back_hourly_limit\": 5"));
        var answer = await response.Content.ReadAsStringAsync();
        using var read = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative)));
        await Put("acme-dental", AcmeJson);
        using var defaults = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative)));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer);
            Assert.That(read.RootElement.GetProperty("sms_countries").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "US", "CA" }));
            Assert.That(read.RootElement.GetProperty("text_back_hourly_limit").GetInt32(), Is.EqualTo(5));
            Assert.That(defaults.RootElement.TryGetProperty("sms_countries", out var none) ? none.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null));
            Assert.That(defaults.RootElement.GetProperty("text_back_hourly_limit").GetInt32(), Is.EqualTo(30));
        });
    }

    [TestCase("\"sms_countries\": [\"US\", \"usa\"]", "sms_countries[1]")]
    [TestCase("\"sms_countries\": [\"XX\"]", "sms_countries[0]")]
    [TestCase("\"sms_countries\": []", "sms_countries")]
    [TestCase("\"text_back_hourly_limit\": -1", "text_back_hourly_limit")]
    [TestCase("\"text_back_hourly_limit\": 10001", "text_back_hourly_limit")]
    [TestCase("\"sms_providers\": [\"twilio\", \"plivo\"]", "sms_providers[1]")]
    [TestCase("\"sms_providers\": [\"webhook\", \"webhook\"]", "sms_providers[1]")]
    [TestCase("\"sms_providers\": []", "sms_providers")]
    public async Task Put_InvalidSmsSettings_422NamesTheField_NothingStored(string field, string name)
    {
        var response = await Put("acme-dental", WithField(field));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { name }));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }
}
