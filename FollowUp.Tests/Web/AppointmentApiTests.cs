using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>GET /api/appointments/{id}, POST …/cancel and …/reschedule: the cancelled and rescheduled outcomes without a call.</summary>
public sealed class AppointmentApiTests : ApiTest
{
    private async Task BookAsync(string? startsAt = null)
    {
        var response = await Api.Client.SendAsync(CallWebhookTests.Signed(CallWebhookTests.Booked(startsAt: startsAt)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    private Task<HttpResponseMessage> Post(string path, string? json = null) =>
        Api.Client.PostAsync(new Uri(path, UriKind.Relative), json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private Task<List<(string Kind, string Channel, string Status, string? Reason)>> MessagesAsync() =>
        Db.QueryAsync<(string, string, string, string?)>(
            "select kind, channel, status, skip_reason from messages where appointment_id = 'apt_9' order by id");

    [Test]
    public async Task Get_AfterBookedCall_TheAppointmentItsCustomerAndMessages()
    {
        await BookAsync();

        var response = await Api.Client.GetAsync(new Uri("/api/appointments/apt_9?client_id=acme-dental", UriKind.Relative));
        var body = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("booked"));
            Assert.That(body.GetProperty("call_id").GetString(), Is.EqualTo("call_123"));
            Assert.That(body.GetProperty("customer_name").GetString(), Is.EqualTo("Ana Diaz"));
            Assert.That(body.GetProperty("customer_phone").GetString(), Is.EqualTo("+12125550123"));
            Assert.That(body.GetProperty("service").GetString(), Is.EqualTo("Cleaning"));
            Assert.That(body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("kind").GetString()),
                Is.EqualTo(new[] { "confirmation", "confirmation", "reminder_24h", "reminder_24h", "reminder_1h", "reminder_1h" }));
        });
    }

    [Test]
    public async Task Get_UnknownAppointmentOrNoClient_404Or422()
    {
        await BookAsync();

        var unknown = await Api.Client.GetAsync(new Uri("/api/appointments/apt_nope?client_id=acme-dental", UriKind.Relative));
        var otherClient = await Api.Client.GetAsync(new Uri("/api/appointments/apt_9?client_id=other", UriKind.Relative));
        var noClient = await Api.Client.GetAsync(new Uri("/api/appointments/apt_9", UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(otherClient.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(noClient.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That((await Json(noClient)).GetProperty("errors").GetProperty("client_id")[0].GetString(), Does.StartWith("is required"));
        });
    }

    [Test]
    public async Task Cancel_AsTheCancelledOutcome_CancellationSent_RemindersCancelled_JournaledAndAudited()
    {
        await BookAsync();

        var response = await Post("/api/appointments/apt_9/cancel?client_id=acme-dental");
        var reply = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), reply.ToString());
        var messages = await MessagesAsync();
        var journal = await Db.QueryAsync<(string Source, string Outcome, string Status)>(
            "select source, outcome, status from inbound_webhooks order by id");
        var audit = await Db.QueryAsync<(string Actor, string Action, string Target)>("select actor, action, target from audit_log");
        var get = await Json(await Api.Client.GetAsync(new Uri("/api/appointments/apt_9?client_id=acme-dental", UriKind.Relative)));
        Assert.Multiple(() =>
        {
            Assert.That(reply.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("kind").GetString()),
                Is.EqualTo(new[] { "cancellation", "cancellation" }));
            Assert.That(reply.GetProperty("cancelled_message_ids").GetArrayLength(), Is.EqualTo(4), "both reminders, SMS and email");
            Assert.That(messages.Where(m => m.Kind.StartsWith("reminder", StringComparison.Ordinal)).Select(m => (m.Status, m.Reason)),
                Is.All.EqualTo(("cancelled", (string?)"appointment cancelled")));
            Assert.That(messages.Count(m => m.Kind == "cancellation" && m.Status != "cancelled"), Is.EqualTo(2));
            Assert.That(journal[^1], Is.EqualTo(("api", "cancelled", "processed")));
            Assert.That(audit, Is.EqualTo(new[] { ("api-key-0", "appointment.cancel", "appointment acme-dental/apt_9") }));
            Assert.That(get.GetProperty("status").GetString(), Is.EqualTo("cancelled"));
            Assert.That(get.GetProperty("call_id").GetString(), Does.StartWith("api-"));
        });
    }

    [Test]
    public async Task Cancel_Twice_409_NoSecondCancellation()
    {
        await BookAsync();
        var first = await Post("/api/appointments/apt_9/cancel?client_id=acme-dental");

        var second = await Post("/api/appointments/apt_9/cancel?client_id=acme-dental");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That((await MessagesAsync()).Count(m => m.Kind == "cancellation"), Is.EqualTo(2), "one SMS and one email, once");
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks where source = 'api'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Cancel_Concurrently_OneCancellation()
    {
        await BookAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Post("/api/appointments/apt_9/cancel?client_id=acme-dental")));

        Assert.Multiple(async () =>
        {
            Assert.That(replies.Count(r => r.StatusCode == HttpStatusCode.Accepted), Is.EqualTo(1));
            Assert.That(replies.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(3));
            Assert.That((await MessagesAsync()).Count(m => m.Kind == "cancellation"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Reschedule_AsTheRescheduledOutcome_OldRemindersCancelled_NewOnesForTheNewTime()
    {
        await BookAsync();
        // Whole seconds: PostgreSQL keeps microseconds, the clock has ticks.
        var newTime = NodaTime.Text.InstantPattern.ExtendedIso.Format(NodaTime.Instant.FromUnixTimeSeconds(
            NodaTime.SystemClock.Instance.GetCurrentInstant().Plus(NodaTime.Duration.FromDays(5)).ToUnixTimeSeconds()));

        var response = await Post("/api/appointments/apt_9/reschedule?client_id=acme-dental", $$"""{ "starts_at": "{{newTime}}" }""");
        var reply = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), reply.ToString());
        var reminder1h = await Db.QueryAsync<(string Status, NodaTime.Instant At)>(
            "select status, scheduled_for from messages where appointment_id = 'apt_9' and kind = 'reminder_1h' and channel = 'sms' order by id");
        var get = await Json(await Api.Client.GetAsync(new Uri("/api/appointments/apt_9?client_id=acme-dental", UriKind.Relative)));
        Assert.Multiple(() =>
        {
            Assert.That(reply.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("kind").GetString()),
                Is.EqualTo(new[] { "confirmation", "confirmation", "reminder_24h", "reminder_24h", "reminder_1h", "reminder_1h" }));
            Assert.That(reply.GetProperty("cancelled_message_ids").GetArrayLength(), Is.EqualTo(4));
            Assert.That(reminder1h.Select(r => r.Status), Is.EqualTo(new[] { "cancelled", "scheduled" }));
            Assert.That(reminder1h[1].At, Is.EqualTo(NodaTime.Text.InstantPattern.ExtendedIso.Parse(newTime).Value - NodaTime.Duration.FromHours(1)));
            Assert.That(get.GetProperty("status").GetString(), Is.EqualTo("rescheduled"));
            Assert.That(get.GetProperty("starts_at").GetString(), Is.EqualTo(newTime));
            Assert.That(get.GetProperty("customer_name").GetString(), Is.EqualTo("Ana Diaz"), "the customer as the booking call knew them");
        });
    }

    [TestCase("""{ "starts_at": "2026-11-26 10:00" }""", "starts_at")]
    [TestCase("""{ }""", "starts_at")]
    public async Task Reschedule_BadStartsAt_422Named_NothingChanged(string json, string field)
    {
        await BookAsync();
        // The confirmation is being sent meanwhile; the reminders are what a reschedule would change.
        var before = (await MessagesAsync()).Where(m => m.Kind != "confirmation").ToList();

        var response = await Post("/api/appointments/apt_9/reschedule?client_id=acme-dental", json);
        var body = await Json(response);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(body.GetProperty("errors").TryGetProperty(field, out _), Is.True, body.ToString());
            Assert.That((await MessagesAsync()).Where(m => m.Kind != "confirmation"), Is.EqualTo(before));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks where source = 'api'"), Is.Zero);
        });
    }

    [Test]
    public async Task Reschedule_UnknownAppointment_404_NothingJournaled()
    {
        await BookAsync();

        var response = await Post("/api/appointments/apt_nope/reschedule?client_id=acme-dental", $$"""{ "starts_at": "{{CallWebhookTests.InDays(5)}}" }""");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks where source = 'api'"), Is.Zero);
        });
    }

    [Test]
    public async Task ApiAction_JournaledBody_ReplaysAsTheSameCallEvent()
    {
        await BookAsync();
        await Post("/api/appointments/apt_9/cancel?client_id=acme-dental");
        var id = await Db.ScalarAsync<long>("select id from inbound_webhooks where source = 'api'");
        // As if the process had died after the journal and before processing.
        await Db.ExecuteAsync("update inbound_webhooks set status = 'received', response = null where id = @id", new { id });

        var replay = await Post($"/api/call-webhooks/{id}/replay");

        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await replay.Content.ReadAsStringAsync());
    }
}
