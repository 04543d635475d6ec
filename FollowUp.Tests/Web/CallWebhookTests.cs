using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Calls;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using FollowUp.Jobs.Signing;

namespace FollowUp.Tests.Web;

/// <summary>POST /webhooks/calls over HTTP against real PostgreSQL: signatures, validation, idempotency, journal and replay.</summary>
public sealed partial class CallWebhookTests : ApiTest
{
    private const string Secret = "whsec_0123456789abcdef";
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A booked call whose appointment is a few days ahead, so every message is in the future but the confirmation.</summary>
    internal static string Booked(string eventId = "evt_01", string callId = "call_123", string appointmentId = "apt_9", string phone = "+12125550123",
        string? startsAt = null, string outcome = "booked", string? email = "ana@example.com") => JsonSerializer.Serialize(new
    {
        event_id = eventId,
        @event = "call_ended",
        client_id = "acme-dental",
        call_id = callId,
        occurred_at = "2026-11-22T15:04:05Z",
        outcome,
        customer = new { name = "Ana Diaz", phone, email },
        appointment = new { id = appointmentId, starts_at = startsAt ?? InDays(3), service = "Cleaning" },
    }, Readable);

    internal static string InDays(int days) =>
        NodaTime.Text.InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant().Plus(Duration.FromDays(days)));

    internal static HttpRequestMessage Signed(string json, string secret = Secret, long? t = null, string? header = null)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/calls") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(CallSignature.Header,
            header ?? CallSignature.Compute(secret, t ?? SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds(), body));
        return request;
    }

    private Task<HttpResponseMessage> Send(HttpRequestMessage request) => Api.Client.SendAsync(request);

    /// <summary>
    /// Waits until the node's outbox has given every scheduled message its job: a webhook is answered at
    /// its commit, and its jobs follow a moment later.
    /// </summary>
    private async Task Settled() => await Eventually.WaitForAsync(
        () => Db.ScalarAsync<long>("select count(*) from messages where status = 'scheduled' and job_id is null"), n => n == 0,
        what: "every scheduled message has its job");

    private async Task<(long Journal, long Messages, long Jobs, long Calls)> Counts()
    {
        await Settled();
        return (
            await Db.ScalarAsync<long>("select count(*) from inbound_webhooks"),
            await Db.ScalarAsync<long>("select count(*) from messages"),
            HangfireProbe.SendJobCount(Api.Services),
            await Db.ScalarAsync<long>("select count(*) from calls"));
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Test]
    public async Task Post_Booked_202_FiveMessagesAndJobsDurably_AndGetCallShowsThem()
    {
        var response = await Send(Signed(Booked()));
        var reply = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), reply.ToString());
        var messages = reply.GetProperty("messages").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(reply.GetProperty("call_id").GetString(), Is.EqualTo("call_123"));
            Assert.That(messages.Select(m => m.GetProperty("kind").GetString() + "/" + m.GetProperty("channel").GetString()), Is.EqualTo(new[]
            {
                "confirmation/sms", "confirmation/email", "reminder_24h/sms", "reminder_24h/email", "reminder_1h/sms", "reminder_1h/email",
            }));
            Assert.That(messages.Select(m => m.GetProperty("status").GetString()), Is.All.EqualTo("scheduled"));
            Assert.That(messages[2].GetProperty("scheduled_for").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"));
        });
        var (journal, stored, jobs, calls) = await Counts();
        Assert.Multiple(() =>
        {
            Assert.That((journal, stored, jobs, calls), Is.EqualTo((1L, 6L, 6L, 1L)));
        });

        var call = await Api.Client.GetAsync(new Uri("/api/calls/call_123", UriKind.Relative));
        var view = await Json(call);
        Assert.Multiple(() =>
        {
            Assert.That(call.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(view.GetProperty("outcome").GetString(), Is.EqualTo("booked"));
            Assert.That(view.GetProperty("customer_phone").GetString(), Is.EqualTo("+12125550123"));
            Assert.That(view.GetProperty("appointment_id").GetString(), Is.EqualTo("apt_9"));
            Assert.That(view.GetProperty("messages").GetArrayLength(), Is.EqualTo(6));
        });
    }

    [Test]
    public async Task Post_PhoneWithPunctuation_StoredAsE164_OnTheCallAndEveryMessage()
    {
        var response = await Send(Signed(Booked(phone: "+1 (212) 555-0123")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.QueryAsync<string>("select customer_phone from calls"), Is.EqualTo(new[] { "+12125550123" }));
            Assert.That(await Db.QueryAsync<string>("select distinct customer_phone from messages"), Is.EqualTo(new[] { "+12125550123" }));
            Assert.That(await Db.QueryAsync<string>("select distinct recipient from messages where channel = 'sms'"), Is.EqualTo(new[] { "+12125550123" }));
        });
    }

    [Test]
    public async Task Post_SameEventTwice_200SameBody_NothingNew()
    {
        var json = Booked();
        var first = await Send(Signed(json));
        var firstBody = await first.Content.ReadAsStringAsync();
        var before = await Counts();

        var second = await Send(Signed(json));
        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(firstBody));
            Assert.That(await Counts(), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Post_SameEventConcurrently_OnePlan()
    {
        var json = Booked();
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Send(Signed(json))));
        Assert.Multiple(async () =>
        {
            Assert.That(replies.Count(r => r.StatusCode == HttpStatusCode.Accepted), Is.EqualTo(1));
            Assert.That(replies.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(7));
            Assert.That(await Counts(), Is.EqualTo((1L, 6L, 6L, 1L)));
        });
    }

    [Test]
    public async Task Post_EventIdReusedWithDifferentBody_409_NothingNew()
    {
        await Send(Signed(Booked()));
        var before = await Counts();
        var response = await Send(Signed(Booked(callId: "call_other")));
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await Counts(), Is.EqualTo(before));
        });
    }

    [TestCase("missing", "is missing")]
    [TestCase("malformed", "not in the documented form")]
    [TestCase("expired", "more than 300 seconds")]
    [TestCase("future", "more than 300 seconds")]
    [TestCase("wrong-secret", "does not match")]
    [TestCase("tampered", "does not match")]
    public async Task Post_BadSignature_401_SaysWhy_WritesNothing(string how, string why)
    {
        var json = Booked();
        var now = SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds();
        var request = how switch
        {
            "missing" => Signed(json),
            "malformed" => Signed(json, header: "sha256=abc"),
            "expired" => Signed(json, t: now - 301),
            "future" => Signed(json, t: now + 400),
            "wrong-secret" => Signed(json, secret: "whsec_not_the_right_one"),
            _ => Signed(json),
        };
        if (how == "missing")
        {
            request.Headers.Remove(CallSignature.Header);
        }

        if (how == "tampered")
        {
            request.Content = new StringContent(json.Replace("Ana Diaz", "Eve Diaz", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }

        var response = await Send(request);
        var problem = await Json(response);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(why));
            Assert.That(await Counts(), Is.EqualTo((0L, 0L, 0L, 0L)));
        });
    }

    [TestCase("customer.phone", "\"phone\":\"+12125550123\"", "\"phone\":\"555-1234\"", "must start with + and the country code, such as +12125550123")]
    // The +1 555 area code the examples used to use: not a number libphonenumber knows.
    [TestCase("customer.phone", "\"phone\":\"+12125550123\"", "\"phone\":\"+15551234567\"", "is not a valid number for region US")]
    [TestCase("customer.phone", "\"phone\":\"+12125550123\"", "\"phone\":\"+1212555\"", "is too short for country code +1")]
    [TestCase("customer.email", "\"email\":\"ana@example.com\"", "\"email\":\"not-an-email\"", "email address")]
    [TestCase("outcome", "\"outcome\":\"booked\"", "\"outcome\":\"maybe\"", "must be one of booked, not_booked")]
    [TestCase("appointment.starts_at", "\"starts_at\":\"2030-01-01T10:00:00Z\"", "\"starts_at\":\"2030-01-01T10:00:00\"", "with an offset")]
    [TestCase("occurred_at", "\"occurred_at\":\"2026-11-22T15:04:05Z\"", "\"occurred_at\":\"yesterday\"", "with an offset")]
    [TestCase("event", "\"event\":\"call_ended\"", "\"event\":\"call_started\"", "call_ended")]
    [TestCase("event_id", "\"event_id\":\"evt_01\"", "\"event_id\":\"\"", "must not be empty")]
    public async Task Post_InvalidField_422NamesIt_WritesNothing(string field, string good, string bad, string why)
    {
        var json = Booked(startsAt: "2030-01-01T10:00:00Z");
        Assert.That(json, Does.Contain(good), "test setup");
        var response = await Send(Signed(json.Replace(good, bad, StringComparison.Ordinal)));
        var problem = await Json(response);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)422));
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }));
            Assert.That(problem.GetProperty("errors").GetProperty(field)[0].GetString(), Does.Contain(why));
            Assert.That(await Counts(), Is.EqualTo((0L, 0L, 0L, 0L)));
        });
    }

    [Test]
    public async Task Post_BookedWithoutAppointment_And_SeveralBadFields_422ListsEach()
    {
        var json = """
            { "event_id": "evt_2", "event": "call_ended", "client_id": "acme-dental", "call_id": "c", "occurred_at": "2026-11-22T15:04:05Z",
              "outcome": "booked", "customer": { "phone": "12345", "email": "x@" } }
            """;
        var response = await Send(Signed(json));
        var errors = (await Json(response)).GetProperty("errors");
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)422));
            Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "appointment", "customer.phone", "customer.email" }));
            Assert.That(errors.GetProperty("appointment")[0].GetString(), Is.EqualTo("is required when the outcome is booked"));
            Assert.That(await Counts(), Is.EqualTo((0L, 0L, 0L, 0L)));
        });
    }

    [Test]
    public async Task Post_MalformedJson_400_UnknownClient_404_Oversize_413_NothingWritten()
    {
        var malformed = await Send(Signed("{ \"event_id\": "));
        var unknown = await Send(Signed(Booked().Replace("acme-dental", "nobody-here", StringComparison.Ordinal)));
        var padded = Booked().Replace("\"Ana Diaz\"", "\"" + new string('a', 64 * 1024) + "\"", StringComparison.Ordinal);
        var oversize = await Send(Signed(padded));
        Assert.Multiple(async () =>
        {
            Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(oversize.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(await Counts(), Is.EqualTo((0L, 0L, 0L, 0L)));
        });
    }

    [Test]
    public async Task Post_Cancelled_CancelsThatAppointmentsPendingReminders_AndTheirJobs()
    {
        await Send(Signed(Booked()));
        await Send(Signed(Booked(eventId: "evt_other", callId: "call_other", appointmentId: "apt_other", phone: "+12125550101")));
        await Settled(); // the booked reminders have their jobs, as they do a moment after their webhook
        var response = await Send(Signed(Booked(eventId: "evt_02", callId: "call_124", outcome: "cancelled")));
        var reply = await Json(response);

        var reminders = (await Db.QueryAsync<(string Status, string? SkipReason, long JobId, string AppointmentId)>("""
            select m.status, m.skip_reason, m.job_id, m.appointment_id from messages m where m.kind like 'reminder%' order by m.id
            """)).Select(r => (r.Status, r.SkipReason, JobState: HangfireProbe.StateOf(Api.Services, r.JobId), r.AppointmentId)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(reply.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("kind").GetString()), Is.All.EqualTo("cancellation"));
            Assert.That(reply.GetProperty("cancelled_message_ids").GetArrayLength(), Is.EqualTo(4));
            Assert.That(reminders.Where(r => r.AppointmentId == "apt_9").Select(r => (r.Status, r.SkipReason, r.JobState)),
                Is.All.EqualTo(("cancelled", (string?)"appointment cancelled", (string?)"Deleted")));
            Assert.That(reminders.Where(r => r.AppointmentId == "apt_other").Select(r => r.Status), Is.All.EqualTo("scheduled"));
        });
    }

    [Test]
    public async Task Post_Rescheduled_ReplacesReminders_WithOnesForTheNewTime()
    {
        await Send(Signed(Booked()));
        var response = await Send(Signed(Booked(eventId: "evt_03", callId: "call_125", outcome: "rescheduled", startsAt: InDays(5))));
        var scheduled = await Db.QueryAsync<string>("select call_id from messages where kind like 'reminder%' and status = 'scheduled'");
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(scheduled, Is.EqualTo(Enumerable.Repeat("call_125", 4)));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where status = 'cancelled' and skip_reason = 'appointment rescheduled'"),
                Is.EqualTo(4));
        });
    }

    [Test]
    public async Task Post_BookedAfterNotBooked_CancelsTheCustomersPendingNurture()
    {
        var notBooked = JsonSerializer.Serialize(new
        {
            event_id = "evt_nb", @event = "call_ended", client_id = "acme-dental", call_id = "call_nb", occurred_at = InDays(0),
            outcome = "not_booked", customer = new { name = "Ana Diaz", phone = "+12125550123" },
        }, Readable);
        var first = await Send(Signed(notBooked));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where kind like 'nurture%' and status = 'scheduled'"), Is.EqualTo(2),
            "SMS for day 1 and 4; the emails are skipped: no address");

        await Send(Signed(Booked()));
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where kind like 'nurture%' and status = 'cancelled' and skip_reason = 'booked since'"),
                Is.EqualTo(2));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where kind like 'nurture%' and status = 'skipped' and skip_reason = 'no email address'"),
                Is.EqualTo(2));
        });
    }

    [Test]
    public async Task GetCall_Unknown_404_RequiresApiKey()
    {
        var unknown = await Api.Client.GetAsync(new Uri("/api/calls/nope", UriKind.Relative));
        using var anonymous = Api.Factory.CreateClient();
        var refused = await anonymous.GetAsync(new Uri("/api/calls/nope", UriKind.Relative));
        Assert.Multiple(() =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Post_Booked_ConfirmationsAreSent_RemindersWait()
    {
        await Send(Signed(Booked()));
        var statuses = await Eventually.WaitForAsync(
            () => Db.QueryAsync<(string Kind, string Channel, string Status)>("select kind, channel, status from messages order by id"),
            rows => rows.Where(r => r.Kind == "confirmation").All(r => r.Status == "sent"), what: "the confirmations to be sent");
        Assert.That(statuses.Where(r => r.Kind != "confirmation").Select(r => r.Status), Is.All.EqualTo("scheduled"));
    }

    [Test]
    public async Task OpenApi_DescribesTheCallWebhook()
    {
        var doc = await Json(await Api.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var post = doc.GetProperty("paths").GetProperty("/webhooks/calls").GetProperty("post");
        Assert.Multiple(() =>
        {
            Assert.That(post.GetProperty("responses").EnumerateObject().Select(r => r.Name),
                Is.SupersetOf(new[] { "202", "200", "400", "401", "404", "409", "413", "422" }));
            Assert.That(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), Is.True);
            Assert.That(post.GetProperty("description").GetString(), Does.Contain("X-FollowUp-Signature"));
            Assert.That(doc.GetProperty("paths").TryGetProperty("/api/calls/{callId}", out _), Is.True);
        });
    }
}
