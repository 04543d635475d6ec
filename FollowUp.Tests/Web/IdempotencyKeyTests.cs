using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>Idempotency-Key on POST /api/messages, the appointment actions and PUT /api/clients/{id}.</summary>
public sealed class IdempotencyKeyTests : ApiTest
{
    private const string OtherKey = "test-api-key-other-98765";
    private const string Message = """{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550199", "body": "Your table is ready" }""";

    protected override Dictionary<string, string?> Settings => new() { ["FollowUp:Api:Keys:1"] = OtherKey };

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? json, string? key, string? apiKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        if (apiKey is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return Api.Client.SendAsync(request);
    }

    private Task<long> MessageCount() => Db.ScalarAsync<long>("select count(*) from messages");

    [Test]
    public async Task PostMessage_SameKeyAndBody_FirstResponseAgain_OneMessage()
    {
        var first = await Send(HttpMethod.Post, "/api/messages", Message, "order-1");
        var second = await Send(HttpMethod.Post, "/api/messages", Message, "order-1");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
            Assert.That(second.Headers.Location, Is.EqualTo(first.Headers.Location).And.Not.Null);
            Assert.That(second.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
            Assert.That(first.Headers.Contains("Idempotent-Replayed"), Is.False);
            Assert.That(await MessageCount(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PostMessage_SameKeyOtherBody_422NamesTheHeader_NothingNew()
    {
        await Send(HttpMethod.Post, "/api/messages", Message, "order-1");

        var other = await Send(HttpMethod.Post, "/api/messages", Message.Replace("ready", "late", StringComparison.Ordinal), "order-1");
        var body = JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(async () =>
        {
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(body.GetProperty("errors").GetProperty("Idempotency-Key")[0].GetString(), Does.Contain("different request"));
            Assert.That(await MessageCount(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PostMessage_FirstStillInFlight_409_NothingNew()
    {
        // The first request's row as it is while its handler runs: claimed, no response yet.
        await Db.ExecuteAsync("""
            insert into idempotency_keys (api_key_hash, key, request_hash, created_at) values (@apiKey, 'order-1', @hash, now())
            """, new { apiKey = Sha256(ApiHost.ApiKey), hash = Sha256("POST\n/api/messages\n\n" + Message) });

        var response = await Send(HttpMethod.Post, "/api/messages", Message, "order-1");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await response.Content.ReadAsStringAsync());
            Assert.That(await MessageCount(), Is.Zero);
        });
    }

    [Test]
    public async Task PostMessage_SameKeyConcurrently_OneMessage()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Send(HttpMethod.Post, "/api/messages", Message, "order-1")));

        Assert.Multiple(async () =>
        {
            Assert.That(replies.Select(r => r.StatusCode), Is.All.AnyOf(HttpStatusCode.Accepted, HttpStatusCode.Conflict));
            Assert.That(await MessageCount(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Key_IsPerApiKey()
    {
        await Send(HttpMethod.Post, "/api/messages", Message, "order-1");
        var other = await Send(HttpMethod.Post, "/api/messages", Message, "order-1", OtherKey);

        Assert.Multiple(async () =>
        {
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(other.Headers.Contains("Idempotent-Replayed"), Is.False);
            Assert.That(await MessageCount(), Is.EqualTo(2));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from idempotency_keys where api_key_hash like '%test-api-key%'"), Is.Zero,
                "a hash is kept, never the key");
        });
    }

    [Test]
    public async Task Key_After24Hours_IsNew()
    {
        await Send(HttpMethod.Post, "/api/messages", Message, "order-1");
        await Db.ExecuteAsync("update idempotency_keys set created_at = created_at - interval '24 hours 1 minute'");

        var again = await Send(HttpMethod.Post, "/api/messages", Message, "order-1");

        Assert.Multiple(async () =>
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(again.Headers.Contains("Idempotent-Replayed"), Is.False);
            Assert.That(await MessageCount(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Refused_KeyStaysFree_ForTheCorrectedRequest()
    {
        var refused = await Send(HttpMethod.Post, "/api/messages", Message.Replace("+12125550199", "555", StringComparison.Ordinal), "order-1");
        var corrected = await Send(HttpMethod.Post, "/api/messages", Message, "order-1");

        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(corrected.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(await MessageCount(), Is.EqualTo(1));
        });
    }

    [TestCase("has space", "must be printable ASCII")]
    [TestCase("tab\there", "must be printable ASCII")]
    public async Task Key_Invalid_422NamesTheHeader(string key, string why)
    {
        var response = await Send(HttpMethod.Post, "/api/messages", Message, key);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(body.GetProperty("errors").GetProperty("Idempotency-Key")[0].GetString(), Does.StartWith(why));
            Assert.That(await MessageCount(), Is.Zero);
        });
    }

    [Test]
    public async Task Key_Over255Characters_422()
    {
        var response = await Send(HttpMethod.Post, "/api/messages", Message, new string('k', 256));
        var ok = await Send(HttpMethod.Post, "/api/messages", Message, new string('k', 255));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("at most 255 characters"));
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        });
    }

    [Test]
    public async Task PutClient_SameKey_201AndLocationAgain()
    {
        var json = JsonSerializer.Serialize(new
        {
            name = "Beta Clinic", time_zone = "Europe/London", business_hours = new { mon = new[] { "09:00", "17:00" } },
            webhook_secret = "whsec_beta_0123456789",
        });

        var first = await Send(HttpMethod.Put, "/api/clients/beta", json, "client-beta");
        var second = await Send(HttpMethod.Put, "/api/clients/beta", json, "client-beta");

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), first.Content.ReadAsStringAsync().Result);
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the first response, not the 200 of a replace");
            Assert.That(second.Headers.Location?.ToString(), Is.EqualTo("/api/clients/beta"));
        });
    }

    [Test]
    public async Task AppointmentCancel_SameKey_TheFirst202Again_NotA409()
    {
        Assert.That((await Api.Client.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked()))).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));

        var first = await Send(HttpMethod.Post, "/api/appointments/apt_9/cancel?client_id=acme-dental", null, "cancel-apt-9");
        var second = await Send(HttpMethod.Post, "/api/appointments/apt_9/cancel?client_id=acme-dental", null, "cancel-apt-9");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where kind = 'cancellation'"), Is.EqualTo(2));
        });
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
