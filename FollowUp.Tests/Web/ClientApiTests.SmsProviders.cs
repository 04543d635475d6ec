using System.Text.Json;

namespace FollowUp.Tests.Web;

/// <summary>sms_providers: a client's own SMS provider order, stored and read back (its refusals are with the other SMS settings').</summary>
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
}
