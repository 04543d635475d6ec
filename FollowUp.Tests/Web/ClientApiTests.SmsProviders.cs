using System.Net;
using System.Text.Json;

namespace FollowUp.Tests.Web;

/// <summary>sms_providers: a client's own SMS provider order, stored and read back, validated on save.</summary>
public sealed partial class ClientApiTests
{
    [Test]
    public async Task Put_SmsProviders_StoredAndReturned_AbsentMeansTheGlobalOrder()
    {
        var response = await Put("acme-dental", WithField("\"sms_providers\": [\"webhook\", \"twilio\"]"));
        using var read = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative)));
        await Put("acme-dental", AcmeJson);
        using var defaults = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative)));

        Assert.Multiple(() =>
        {
            Assert.That(response.IsSuccessStatusCode, Is.True, response.StatusCode.ToString());
            Assert.That(read.RootElement.GetProperty("sms_providers").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "webhook", "twilio" }));
            Assert.That(defaults.RootElement.TryGetProperty("sms_providers", out var none) ? none.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [TestCase("\"sms_providers\": [\"twilio\", \"vonage\"]", "sms_providers[1]")]
    [TestCase("\"sms_providers\": [\"webhook\", \"webhook\"]", "sms_providers[1]")]
    [TestCase("\"sms_providers\": []", "sms_providers")]
    public async Task Put_InvalidSmsProviders_422NamesTheField_NothingStored(string field, string name)
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
