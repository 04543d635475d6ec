using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>GET /api/messages (filters, q, keyset pages) and POST /api/messages/{id}/cancel over HTTP.</summary>
public sealed class MessageListApiTests : ApiTest
{
    private static string Later => CallWebhookTests.InDays(2);

    private async Task<long> AdHocAsync(string json)
    {
        var response = await Api.Client.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string query)
    {
        var response = await Api.Client.GetAsync(new Uri("/api/messages" + query, UriKind.Relative));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<long[]> IdsAsync(string query)
    {
        var (status, body) = await GetAsync(query);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ToArray();
    }

    [Test]
    public async Task List_EachFilter_OnlyItsMessages_NewestFirst()
    {
        var booked = await Api.Client.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked()));
        Assert.That(booked.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var callIds = (await Db.QueryAsync<long>("select id from messages where call_id = 'call_123' order by id desc")).ToArray();
        var parcel = await AdHocAsync($$"""{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550199", "body": "Your parcel xyzzy is ready", "send_at": "{{Later}}" }""");
        var percent = await AdHocAsync($$"""{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550198", "body": "a 100% match", "send_at": "{{Later}}" }""");
        var digits = await AdHocAsync($$"""{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550197", "body": "a 1000 match", "send_at": "{{Later}}" }""");
        var email = await AdHocAsync($$"""{ "client_id": "acme-dental", "channel": "email", "to": "Bob@Example.com", "subject": "Hello", "body": "Hi Bob", "send_at": "{{Later}}" }""");

        var byName = await GetAsync("?q=diaz");
        Assert.Multiple(async () =>
        {
            Assert.That(await IdsAsync(""), Is.EqualTo(new[] { email, digits, percent, parcel }.Concat(callIds)));
            Assert.That(await IdsAsync("?q=XYZZY"), Is.EqualTo(new[] { parcel }), "body, any case");
            Assert.That(await IdsAsync("?q=5550199"), Is.EqualTo(new[] { parcel }), "recipient");
            Assert.That(await IdsAsync("?q=100%25"), Is.EqualTo(new[] { percent }), "% is a literal, not a wildcard");
            Assert.That(byName.Body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()), Is.EqualTo(callIds),
                "the call's customer name");
            Assert.That(byName.Body.GetProperty("messages").EnumerateArray()
                .Any(m => !m.GetProperty("body").GetString()!.Contains("Diaz", StringComparison.OrdinalIgnoreCase)), Is.True,
                "at least one matched by the name alone");
            Assert.That(await IdsAsync("?to=%2B1%20(212)%20555-0199"), Is.EqualTo(new[] { parcel }), "a number in any punctuation");
            Assert.That(await IdsAsync("?to=bob@example.com"), Is.EqualTo(new[] { email }), "an address in any case");
            Assert.That(await IdsAsync("?channel=email&kind=adhoc"), Is.EqualTo(new[] { email }));
            Assert.That(await IdsAsync("?status=scheduled&kind=adhoc"), Is.EqualTo(new[] { email, digits, percent, parcel }));
            Assert.That(await IdsAsync("?kind=reminder_1h"), Is.EqualTo(callIds.Skip(0).Take(2)));
            Assert.That(await IdsAsync("?client_id=someone-else"), Is.Empty);
            Assert.That(await IdsAsync("?until=2020-01-01T00:00:00Z"), Is.Empty);
            Assert.That((await IdsAsync("?from=2020-01-01T00:00:00Z")).Length, Is.EqualTo(10));
        });
    }

    [Test]
    public async Task List_Pages_ByBefore_UntilTheLastSaysNoMore()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await AdHocAsync($$"""{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550199", "body": "note {{i}}", "send_at": "{{Later}}" }"""));
        }

        var pages = new List<long[]>();
        long? before = null;
        do
        {
            var (_, body) = await GetAsync($"?limit=2{(before is null ? "" : $"&before={before}")}");
            pages.Add(body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()).ToArray());
            before = body.TryGetProperty("next_before", out var next) ? next.GetInt64() : null;
        }
        while (before is not null && pages.Count < 10);

        ids.Reverse();
        Assert.That(pages.Select(p => string.Join(",", p)), Is.EqualTo(new[]
        {
            $"{ids[0]},{ids[1]}", $"{ids[2]},{ids[3]}", $"{ids[4]}",
        }));
    }

    [TestCase("?status=lost", "status", "must be one of")]
    [TestCase("?kind=promo", "kind", "must be one of")]
    [TestCase("?channel=fax", "channel", "must be \"sms\" or \"email\"")]
    [TestCase("?q=ab", "q", "must be 3 to 100 characters")]
    [TestCase("?to=555-0199", "to", "must start with + and the country code")]
    [TestCase("?from=yesterday", "from", "must be an ISO 8601 time")]
    [TestCase("?until=2026-11-25", "until", "must be an ISO 8601 time")]
    [TestCase("?before=x", "before", "must be a whole number")]
    [TestCase("?limit=101", "limit", "must be a whole number from 1 to 100")]
    public async Task List_BadParameter_422NamesItAndWhy(string query, string field, string why)
    {
        var (status, body) = await GetAsync(query);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(body.GetProperty("errors").GetProperty(field)[0].GetString(), Does.StartWith(why), body.ToString());
        });
    }

    [Test]
    public async Task Cancel_Scheduled_200Cancelled_JobDeleted_ActorRecordedAndAudited()
    {
        var id = await AdHocAsync($$"""{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550199", "body": "later", "send_at": "{{Later}}" }""");
        // The POST answers at its commit; the outbox gives the message its job a moment later (0 until then:
        // ScalarAsync refuses a null, which made the first look throw instead of waiting).
        var jobId = await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select coalesce(job_id, 0) from messages where id = @id", new { id }), j => j > 0);

        var response = await Api.Client.PostAsync(new Uri($"/api/messages/{id}/cancel", UriKind.Relative), null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var again = await Api.Client.PostAsync(new Uri($"/api/messages/{id}/cancel", UriKind.Relative), null);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("cancelled"));
            Assert.That(body.GetProperty("skip_reason").GetString(), Is.EqualTo("cancelled by api-key-0"));
            Assert.That(HangfireProbe.StateOf(Api.Services, jobId), Is.EqualTo("Deleted"));
            Assert.That(await Db.ScalarAsync<string>("select actor || ' ' || action || ' ' || target from audit_log"),
                Is.EqualTo($"api-key-0 message.cancel message {id}"));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        });
    }

    [Test]
    public async Task Cancel_Sent_409SaysItsStatus_StaysSent()
    {
        var id = await AdHocAsync("""{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550199", "body": "now" }""");
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select status from messages where id = @id", new { id }), s => s == "sent");

        var response = await Api.Client.PostAsync(new Uri($"/api/messages/{id}/cancel", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(body, Does.Contain($"Message {id} is sent"));
            Assert.That(await Db.ScalarAsync<string>("select status from messages where id = @id", new { id }), Is.EqualTo("sent"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from audit_log"), Is.Zero);
        });
    }

    [Test]
    public async Task Cancel_Unknown_404()
    {
        var response = await Api.Client.PostAsync(new Uri("/api/messages/424242/cancel", UriKind.Relative), null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
