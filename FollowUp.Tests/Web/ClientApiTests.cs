using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>PUT/GET /api/clients/{id} over HTTP, against real PostgreSQL.</summary>
public sealed partial class ClientApiTests : ApiTest
{
    private const string AcmeJson = """
        { "name": "Acme Dental", "time_zone": "America/New_York",
          "business_hours": { "mon": ["09:00", "17:00"], "tue": ["09:00", "17:00"], "wed": ["09:00", "17:00"],
                              "thu": ["09:00", "17:00"], "fri": ["09:00", "17:00"] },
          "closed_dates": ["2026-12-25"], "webhook_secret": "whsec_0123456789abcdef", "email_enabled": true,
          "missed_call_text_back": false, "daily_limit_per_recipient": 3,
          "sms_from": "+12125550100", "email_from": "Acme Dental <hello@acme.example>" }
        """;

    protected override bool CreatesTestClients => false;

    private Task<HttpResponseMessage> Put(string id, string json) =>
        Api.Client.PutAsync(new Uri($"/api/clients/{id}", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<long> ClientCount() => Db.ScalarAsync<long>("select count(*) from clients");

    [Test]
    public async Task Put_NewClient_Creates201_GetReturnsItWithoutTheSecret()
    {
        var put = await Put("acme-dental", AcmeJson);
        var get = await Api.Client.GetAsync(new Uri("/api/clients/acme-dental", UriKind.Relative));
        var body = await get.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);

        Assert.Multiple(async () =>
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(put.Headers.Location?.ToString(), Is.EqualTo("/api/clients/acme-dental"));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(doc.RootElement.GetProperty("name").GetString(), Is.EqualTo("Acme Dental"));
            Assert.That(doc.RootElement.GetProperty("time_zone").GetString(), Is.EqualTo("America/New_York"));
            Assert.That(doc.RootElement.GetProperty("business_hours").GetProperty("mon")[1].GetString(), Is.EqualTo("17:00"));
            Assert.That(doc.RootElement.GetProperty("business_hours").EnumerateObject().Select(p => p.Name),
                Is.EqualTo(new[] { "mon", "tue", "wed", "thu", "fri" }), "weekday order, not jsonb's");
            Assert.That(doc.RootElement.GetProperty("closed_dates")[0].GetString(), Is.EqualTo("2026-12-25"));
            Assert.That(doc.RootElement.GetProperty("sms_from").GetString(), Is.EqualTo("+12125550100"));
            Assert.That(body, Does.Not.Contain("webhook_secret").And.Not.Contain("whsec_"), "the secret is write-only");
            Assert.That(await Db.RevealAsync(Api.Services, "select webhook_secret from clients where id = 'acme-dental'"), Is.EqualTo("whsec_0123456789abcdef"));
        });
    }

    [Test]
    public async Task Put_ExistingClient_Replaces200_OmittedSecretIsKept()
    {
        await Put("acme-dental", AcmeJson);
        var replacement = AcmeJson.Replace("\"webhook_secret\": \"whsec_0123456789abcdef\", ", "", StringComparison.Ordinal)
            .Replace("Acme Dental\", \"time_zone", "Acme Dental & Ortho\", \"time_zone", StringComparison.Ordinal);

        var put = await Put("acme-dental", replacement);

        Assert.Multiple(async () =>
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
            Assert.That(await Db.ScalarAsync<string>("select name from clients where id = 'acme-dental'"), Is.EqualTo("Acme Dental & Ortho"));
            Assert.That(await Db.RevealAsync(Api.Services, "select webhook_secret from clients where id = 'acme-dental'"), Is.EqualTo("whsec_0123456789abcdef"));
        });
    }

    [Test]
    public async Task Put_InvalidFields_422ListsEachField_AndStoresNothing()
    {
        var json = AcmeJson
            .Replace("America/New_York", "Mars/Olympus_Mons", StringComparison.Ordinal)
            .Replace("\"mon\": [\"09:00\", \"17:00\"]", "\"mon\": [\"09:00\", \"08:00\"], \"funday\": [\"09:00\", \"10:00\"]", StringComparison.Ordinal)
            .Replace("\"tue\": [\"09:00\", \"17:00\"]", "\"tue\": [\"9am\", \"24:00\"]", StringComparison.Ordinal)
            .Replace("+12125550100", "555-1234", StringComparison.Ordinal)
            .Replace("2026-12-25", "25/12/2026", StringComparison.Ordinal)
            .Replace("\"daily_limit_per_recipient\": 3", "\"daily_limit_per_recipient\": -1", StringComparison.Ordinal);

        var response = await Put("acme-dental", json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), body);
        using var doc = JsonDocument.Parse(body);
        var fields = doc.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(fields, Is.SupersetOf(new[]
            {
                "time_zone", "business_hours.mon", "business_hours.funday", "business_hours.tue[0]",
                "sms_from", "closed_dates[0]", "daily_limit_per_recipient",
            }));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }

    [TestCase("+15557654321", "is not a valid number for region US")]
    [TestCase("2125550100", "must start with + and the country code, such as +12125550123")]
    [TestCase("+1 212 555 01000", "is too long for country code +1")]
    public async Task Put_SmsFromNotAValidNumber_422NamesSmsFromWithTheReason(string from, string why)
    {
        var response = await Put("acme-dental", AcmeJson.Replace("+12125550100", from, StringComparison.Ordinal));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "sms_from" }));
            Assert.That(errors.GetProperty("sms_from")[0].GetString(), Is.EqualTo(why));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }

    [Test]
    public async Task Put_SmsFromWithPunctuation_StoredAndReturnedAsE164()
    {
        var put = await Put("acme-dental", AcmeJson.Replace("+12125550100", "+1 (212) 555-0100", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(await put.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(doc.RootElement.GetProperty("sms_from").GetString(), Is.EqualTo("+12125550100"));
            Assert.That(await Db.ScalarAsync<string>("select sms_from from clients where id = 'acme-dental'"), Is.EqualTo("+12125550100"));
        });
    }

    [Test]
    public async Task Put_RecipientHours_DefaultWhenOmitted_StoredAndReturnedWhenGiven()
    {
        var omitted = await Put("acme-dental", AcmeJson);
        using var first = JsonDocument.Parse(await omitted.Content.ReadAsStringAsync());
        var given = await Put("acme-dental", AcmeJson.Replace("\"daily_limit_per_recipient\": 3", "\"daily_limit_per_recipient\": 3, \"recipient_hours\": [\"09:30\", \"20:00\"]",
            StringComparison.Ordinal));
        var get = await Api.Client.GetAsync(new Uri("/api/clients/acme-dental", UriKind.Relative));
        using var second = JsonDocument.Parse(await get.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(omitted.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(first.RootElement.GetProperty("recipient_hours").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "08:00", "21:00" }));
            Assert.That(given.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.RootElement.GetProperty("recipient_hours").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "09:30", "20:00" }));
        });
    }

    [TestCase("[\"21:00\", \"08:00\"]", "recipient_hours", "ends before it starts (it is when sending is allowed, such as [\"08:00\", \"21:00\"])")]
    [TestCase("[\"8am\", \"21:00\"]", "recipient_hours[0]", "must be a time HH:mm from 00:00 to 23:59")]
    [TestCase("[\"08:00\", \"25:00\"]", "recipient_hours[1]", "must be a time HH:mm from 00:01 to 24:00")]
    [TestCase("[\"08:00\"]", "recipient_hours", "must be [\"HH:mm\", \"HH:mm\"]")]
    [TestCase("null", "recipient_hours", "must be [\"HH:mm\", \"HH:mm\"]")]
    public async Task Put_RecipientHoursInvalid_422NamesTheField(string value, string field, string why)
    {
        var response = await Put("acme-dental", AcmeJson.Replace("\"daily_limit_per_recipient\": 3",
            $"\"daily_limit_per_recipient\": 3, \"recipient_hours\": {value}", StringComparison.Ordinal));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }));
            Assert.That(errors.GetProperty(field)[0].GetString(), Is.EqualTo(why));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }

    [Test]
    public async Task Put_NewClientWithoutSecretOrName_422()
    {
        var json = AcmeJson.Replace("\"webhook_secret\": \"whsec_0123456789abcdef\", ", "", StringComparison.Ordinal)
            .Replace("\"name\": \"Acme Dental\", ", "", StringComparison.Ordinal);

        var response = await Put("acme-dental", json);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), body);
            Assert.That(body, Does.Contain("\"webhook_secret\"").And.Contain("\"name\""));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }

    [TestCase("{ \"name\": ", "Malformed JSON", TestName = "Put_TruncatedJson_400")]
    [TestCase("{ \"name\": \"A\", \"timezone\": \"UTC\" }", "timezone", TestName = "Put_UnknownProperty_400NamesIt")]
    public async Task Put_BadJson_400_StoresNothing(string json, string expected)
    {
        var response = await Put("acme-dental", json);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(expected));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }

    [Test]
    public async Task Put_InvalidId_400()
    {
        var response = await Put("Acme_Dental!", AcmeJson);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Get_UnknownClient_404Problem()
    {
        var response = await Api.Client.GetAsync(new Uri("/api/clients/nobody", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase(null, TestName = "Api_WithoutKey_401_StoresNothing")]
    [TestCase("wrong-key-0123456789abc", TestName = "Api_WithWrongKey_401_StoresNothing")]
    public async Task Api_Unauthenticated_401(string? key)
    {
        using var anonymous = Api.Factory.CreateClient();
        if (key is not null)
        {
            anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var put = await anonymous.PutAsync(new Uri("/api/clients/acme-dental", UriKind.Relative), new StringContent(AcmeJson, Encoding.UTF8, "application/json"));
        var get = await anonymous.GetAsync(new Uri("/api/clients/acme-dental", UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }

    [Test]
    public async Task Put_FollowUps_StoredAndReturned_WithTemplatePreviewsAndSegments()
    {
        var json = AcmeJson.TrimEnd().TrimEnd('}') + """
            , "follow_ups": { "reminder_1h": { "enabled": true, "email": false,
                 "sms": "Hi {first_name}, {business_name} expects you {appointment_time} for your {service}." },
               "nurture_day4": { "enabled": false } } }
            """;
        var put = await Put("acme-dental", json);
        var get = await Api.Client.GetAsync(new Uri("/api/clients/acme-dental", UriKind.Relative));
        using var doc = JsonDocument.Parse(await get.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        var previews = root.GetProperty("template_previews");
        Assert.Multiple(() =>
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(root.GetProperty("follow_ups").GetProperty("reminder_1h").GetProperty("email").GetBoolean(), Is.False);
            Assert.That(root.GetProperty("follow_ups").GetProperty("nurture_day4").GetProperty("enabled").GetBoolean(), Is.False);
            Assert.That(previews.GetProperty("reminder_1h").GetProperty("sms").GetString(),
                Is.EqualTo("Hi Ana, Acme Dental expects you Wednesday, November 25 at 2:00 PM for your Cleaning."));
            Assert.That(previews.GetProperty("reminder_1h").GetProperty("sms_segments").GetInt32(), Is.EqualTo(1));
            Assert.That(previews.GetProperty("nurture_day1").GetProperty("sms").GetString(), Does.EndWith("Reply STOP to opt out"));
            Assert.That(previews.GetProperty("nurture_day1").GetProperty("sms_encoding").GetString(), Is.EqualTo("GSM-7"));
            Assert.That(previews.EnumerateObject().Count(), Is.EqualTo(7));
        });
    }

    [Test]
    public async Task Put_BadTemplates_422NamesEachField_NothingStored()
    {
        var json = AcmeJson.TrimEnd().TrimEnd('}') + """
            , "follow_ups": { "confirmation": { "sms": "Hi {firstname}" },
                              "nurture_day1": { "email_subject": "See you {appointment_time}" },
                              "birthday": { "sms": "Happy birthday" } },
              "template_previews": {} }
            """;
        var response = await Put("acme-dental", json);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = doc.RootElement.GetProperty("errors");
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)422));
            Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[]
            {
                "follow_ups.confirmation.sms", "follow_ups.nurture_day1.email_subject", "follow_ups.birthday", "template_previews",
            }));
            Assert.That(errors.GetProperty("follow_ups.confirmation.sms")[0].GetString(), Does.Contain("unknown placeholder {firstname}"));
            Assert.That(await ClientCount(), Is.EqualTo(0));
        });
    }
}
