using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>The conversation settings of PUT/GET /api/clients/{id}: reply keywords, booking URL, business notifications.</summary>
public sealed class ClientConversationSettingsTests : ApiTest
{
    protected override bool CreatesTestClients => false;

    private static string Client(Action<JsonObject>? change = null)
    {
        var client = new JsonObject
        {
            ["name"] = "Acme Dental",
            ["time_zone"] = "America/New_York",
            ["business_hours"] = new JsonObject { ["mon"] = new JsonArray("09:00", "17:00") },
            ["webhook_secret"] = "whsec_0123456789abcdef",
        };
        change?.Invoke(client);
        return client.ToJsonString();
    }

    private Task<HttpResponseMessage> Put(string json) =>
        Api.Client.PutAsync(new Uri("/api/clients/acme-dental", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<Dictionary<string, string[]>> ErrorsOf(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Test]
    public async Task Put_ReplyKeywords_CarrierWordOrTwoAnswers_422NamesTheWord_WritesNothing()
    {
        var errors = await ErrorsOf(await Put(Client(c => c["reply_keywords"] = new JsonObject
        {
            ["confirm"] = new JsonArray("OK", "c"), ["cancel"] = new JsonArray("stop"), ["reschedule"] = new JsonArray(" C ", "two words!?"),
        })));

        Assert.Multiple(async () =>
        {
            Assert.That(errors["reply_keywords.cancel[0]"].Single(), Does.Contain("'STOP' is a carrier keyword"));
            Assert.That(errors["reply_keywords.reschedule[0]"].Single(), Does.Contain("'C' is already a confirm keyword"));
            Assert.That(errors["reply_keywords.reschedule[1]"].Single(), Is.EqualTo("must be 1 to 20 letters or digits"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from clients"), Is.Zero);
        });
    }

    [Test]
    public async Task Get_WithoutReplyKeywords_ShowsTheDefaults_CustomOnesRoundTrip()
    {
        await Put(Client());
        var defaults = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative))).RootElement;
        await Put(Client(c => c["reply_keywords"] = new JsonObject
        {
            ["confirm"] = new JsonArray("SI", "OK"), ["cancel"] = new JsonArray("CANCEL"), ["reschedule"] = new JsonArray(),
        }));
        var custom = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative))).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(defaults.GetProperty("reply_keywords").GetProperty("confirm").EnumerateArray().Select(w => w.GetString()),
                Is.EqualTo(new[] { "C", "YES", "CONFIRM" }));
            Assert.That(custom.GetProperty("reply_keywords").GetProperty("confirm").EnumerateArray().Select(w => w.GetString()),
                Is.EqualTo(new[] { "SI", "OK" }));
            Assert.That(custom.GetProperty("reply_keywords").GetProperty("reschedule").GetArrayLength(), Is.Zero);
        });
    }

    [Test]
    public async Task Put_BookingUrlPlaceholder_NeedsTheUrl_AndANurtureKind()
    {
        var withoutUrl = await ErrorsOf(await Put(Client(c => c["follow_ups"] = new JsonObject
        {
            ["nurture_day1"] = new JsonObject { ["sms"] = "Book at {booking_url}" },
        })));
        var wrongKind = await ErrorsOf(await Put(Client(c =>
        {
            c["booking_url"] = "https://book.example/acme";
            c["follow_ups"] = new JsonObject { ["confirmation"] = new JsonObject { ["sms"] = "Moved? {booking_url}" } };
        })));
        var badUrl = await ErrorsOf(await Put(Client(c => c["booking_url"] = "book.example/acme")));
        var good = await Put(Client(c => c["booking_url"] = "https://book.example/acme"));
        var previews = JsonDocument.Parse(await good.Content.ReadAsStringAsync()).RootElement.GetProperty("template_previews");

        Assert.Multiple(() =>
        {
            Assert.That(withoutUrl["follow_ups.nurture_day1.sms"].Single(), Is.EqualTo("uses {booking_url}, but the client has no booking_url"));
            Assert.That(wrongKind["follow_ups.confirmation.sms"].Single(), Does.Contain("only nurture and missed-call messages"));
            Assert.That(badUrl["booking_url"].Single(), Does.Contain("absolute http or https URL"));
            Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(previews.GetProperty("nurture_day4").GetProperty("sms").GetString(), Does.Contain("https://book.example/acme"),
                "the built-in nurture invites booking online once there is a URL");
            Assert.That(previews.GetProperty("confirmation").GetProperty("sms").GetString(), Does.Contain("Reply C to confirm"));
        });
    }

    [Test]
    public async Task Put_Notifications_ValidatedOnSave_SecretWriteOnly_KeptOnReplace()
    {
        var plainHttp = await ErrorsOf(await Put(Client(c => c["notifications"] = new JsonObject
        {
            ["url"] = "http://crm.example/hook", ["secret"] = "nsec_0123456789abcdef", ["events"] = new JsonArray("reply.received", "call.ended"),
        })));
        var noSecret = await ErrorsOf(await Put(Client(c => c["notifications"] = new JsonObject { ["url"] = "https://crm.example/hook" })));
        var created = await Put(Client(c => c["notifications"] = new JsonObject
        {
            ["url"] = "https://crm.example/hook", ["secret"] = "nsec_0123456789abcdef", ["events"] = new JsonArray("appointment.confirmed"),
        }));
        var replaced = await Put(Client(c => c["notifications"] = new JsonObject { ["url"] = "https://crm.example/other" }));
        var body = await replaced.Content.ReadAsStringAsync();
        var removed = await Put(Client());

        Assert.Multiple(async () =>
        {
            Assert.That(plainHttp["notifications.url"].Single(), Does.Contain("https"));
            Assert.That(plainHttp["notifications.events[1]"].Single(), Does.StartWith("is not an event type"));
            Assert.That(noSecret["notifications.secret"].Single(), Is.EqualTo("is required the first time a notification URL is set"));
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Does.Contain("https://crm.example/other"));
            Assert.That(body, Does.Not.Contain("nsec_"), "the secret is never returned");
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("notifications").TryGetProperty("events", out var events)
                && events.ValueKind != JsonValueKind.Null, Is.False, "a replace without events takes every event");
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Db.QueryAsync<(string?, string?)>("select notify_url, notify_secret from clients"), Is.EqualTo(new[] { ((string?)null, (string?)null) }),
                "a client without notifications keeps no secret");
        });
    }

    [Test]
    public async Task Put_NotificationsReplacedWithoutSecret_KeepsTheStoredSecret()
    {
        await Put(Client(c => c["notifications"] = new JsonObject { ["url"] = "https://crm.example/hook", ["secret"] = "nsec_0123456789abcdef" }));
        await Put(Client(c => c["notifications"] = new JsonObject { ["url"] = "https://crm.example/other" }));

        Assert.That(await Db.RevealAsync(Api.Services, "select notify_secret from clients"), Is.EqualTo("nsec_0123456789abcdef"));
    }
}
