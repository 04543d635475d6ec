using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using FollowUp.Jobs.Signing;

namespace FollowUp.Tests.Conversations;

/// <summary>
/// Customers' replies over HTTP, end to end: a booked call's confirmation goes out through a fake Twilio,
/// the customer answers through Twilio's signed inbound webhook, FollowUp acts, and the business's
/// receiver (a local fake) gets each event signed like our inbound contract.
/// </summary>
public sealed partial class ConversationTests : ApiTest
{
    private const string AccountSid = TwilioTestAccount.AccountSid;
    private const string ClientNumber = "+12125550100";
    private const string Customer = "+12125550123";
    private const string NotifySecret = "nsec_0123456789abcdef";

    private FakeTwilioServer _twilio = null!;
    private FakeWebhookReceiver _receiver = null!;
    protected override bool StartsApiInSetUp => false;

    protected override bool CreatesTestClients => false;

    [SetUp]
    public async Task SetUp()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        _receiver = await FakeWebhookReceiver.StartAsync();
        await StartApiAsync(TwilioTestAccount.Settings(_twilio));
        await TestClients.CreateAsync(Api.Services, settings: TestClients.Acme(c => c with
        {
            SmsFrom = ClientNumber,
            EmailEnabled = false,
            Notifications = new NotificationSettings { Url = _receiver.Url.ToString(), Secret = NotifySecret },
        }));
    }

    /// <summary>Runs before the base's tear-down, which stops the host and drops the database.</summary>
    [TearDown]
    public async Task TearDown()
    {
        await _receiver.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    [Test]
    public async Task InboundC_AnswersTheConfirmation_AppointmentConfirmed_BusinessGetsSignedEvents()
    {
        var confirmation = await BookAsync();

        var response = await InboundAsync(" c ");

        var inbound = await Db.QueryAsync<(string Action, string ClientId, long MessageId)>("select action, client_id, message_id from inbound_sms");
        var call = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/calls/call_1", UriKind.Relative))).RootElement;
        var events = await EventsAsync("reply.received", "appointment.confirmed");
        var reminders = await Db.QueryAsync<string>("select status from messages where kind like 'reminder%' order by kind");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(inbound, Is.EqualTo(new[] { ("confirmed", "acme-dental", confirmation) }), "matched to the client and to the confirmation it answers");
            Assert.That(call.GetProperty("customer_response").GetString(), Is.EqualTo("confirmed"));
            Assert.That(reminders, Is.EqualTo(new[] { "scheduled", "scheduled" }), "confirming keeps the reminders");
            foreach (var (type, e) in events)
            {
                Assert.That(CallSignature.Verify(NotifySecret, e.Header("X-FollowUp-Signature"), Encoding.UTF8.GetBytes(e.Body),
                    SystemClock.Instance.GetCurrentInstant()), Is.EqualTo(SignatureCheck.Valid), type);
                Assert.That(e.Header("X-FollowUp-Event"), Is.EqualTo(type));
                Assert.That(e.ContentType, Does.StartWith("application/json"));
                var body = JsonDocument.Parse(e.Body).RootElement;
                Assert.That(body.GetProperty("type").GetString(), Is.EqualTo(type));
                Assert.That(body.GetProperty("id").GetString(), Is.EqualTo(e.Header("X-FollowUp-Event-Id")));
                Assert.That(body.GetProperty("client_id").GetString(), Is.EqualTo("acme-dental"));
            }

            var confirmed = JsonDocument.Parse(events["appointment.confirmed"].Body).RootElement.GetProperty("data");
            Assert.That(confirmed.GetProperty("appointment_id").GetString(), Is.EqualTo("apt_1"));
            Assert.That(confirmed.GetProperty("starts_at").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT.*Z$"), "instants as ISO 8601");
            Assert.That(JsonDocument.Parse(events["appointment.confirmed"].Body).RootElement.GetProperty("created_at").GetString(), Does.EndWith("Z"));
            Assert.That(confirmed.GetProperty("customer").GetProperty("phone").GetString(), Is.EqualTo(Customer));
            var reply = JsonDocument.Parse(events["reply.received"].Body).RootElement.GetProperty("data");
            Assert.That(reply.GetProperty("body").GetString(), Is.EqualTo(" c "));
            Assert.That(reply.GetProperty("answers").GetProperty("message_id").GetInt64(), Is.EqualTo(confirmation));
        });
    }

    [Test]
    public async Task InboundCancel_CancelsTheReminders_SendsTheAcknowledgement_IsNotAnOptOut()
    {
        await BookAsync();

        await InboundAsync("Cancel");
        var ack = await Eventually.WaitForAsync(
            () => Db.QueryAsync<(string Status, string Body)>("select status, body from messages where kind = 'cancellation'"),
            rows => rows.Count == 1 && rows[0].Status == "sent", what: "the cancellation acknowledgement to be sent");
        var suppressedAfterAnswer = await Db.ScalarAsync<long>("select count(*) from suppressions");
        // Now the latest message is the acknowledgement, which asks nothing: CANCEL is the carriers' opt-out again.
        await InboundAsync("CANCEL");
        var events = await EventsAsync("appointment.cancelled_by_customer");

        var reminders = await Db.QueryAsync<(string Status, string Reason)>(
            "select status, skip_reason from messages where kind like 'reminder%' order by kind");
        Assert.Multiple(async () =>
        {
            Assert.That(reminders, Is.EqualTo(new[] { ("cancelled", SkipReasons.CancelledByCustomer), ("cancelled", SkipReasons.CancelledByCustomer) }));
            Assert.That(ack[0].Body, Does.Contain("is cancelled"));
            Assert.That(_twilio.Requests.Count(r => r.Form["Body"].ToString().Contains("is cancelled", StringComparison.Ordinal)), Is.EqualTo(1),
                "a second CANCEL does not acknowledge again");
            Assert.That(suppressedAfterAnswer, Is.Zero, "an appointment answer, not an opt-out");
            Assert.That(await Db.QueryAsync<string>("select action from inbound_sms order by id"), Is.EqualTo(new[] { "cancelled", "opted_out" }));
            Assert.That(JsonDocument.Parse(events["appointment.cancelled_by_customer"].Body).RootElement.GetProperty("data")
                .GetProperty("appointment_id").GetString(), Is.EqualTo("apt_1"));
        });
    }

    [Test]
    public async Task InboundR_KeepsTheReminders_AsksTheBusinessToCallBack()
    {
        await BookAsync();

        await InboundAsync("Reschedule");
        var events = await EventsAsync("appointment.reschedule_requested");

        Assert.Multiple(async () =>
        {
            Assert.That(await Db.QueryAsync<string>("select status from messages where kind like 'reminder%'"), Is.All.EqualTo("scheduled"));
            Assert.That(await Db.ScalarAsync<string>("select status from appointment_replies"), Is.EqualTo("reschedule_requested"));
            Assert.That(events, Contains.Key("appointment.reschedule_requested"));
        });
    }

    [Test]
    public async Task ReplyToNurture_StopsTheRemainingNurture_BusinessIsTold()
    {
        // The call ended a day ago, so day 1's nurture is due now (the client is always open) and day 4's is pending.
        var ended = SystemClock.Instance.GetCurrentInstant() - Duration.FromDays(1) - Duration.FromMinutes(1);
        await PostCallAsync(Call("not_booked", "call_2", occurredAt: ended));
        await Eventually.WaitForAsync(() => Db.QueryAsync<string>("select status from messages where kind = 'nurture_day1'"),
            s => s.SequenceEqual(["sent"]), what: "day 1's nurture to be sent");

        await InboundAsync("Is Thursday possible?");
        var events = await EventsAsync("reply.received");

        Assert.Multiple(async () =>
        {
            Assert.That(await Db.QueryAsync<(string, string)>("select status, skip_reason from messages where kind = 'nurture_day4'"),
                Is.EqualTo(new[] { ("cancelled", SkipReasons.CustomerReplied) }));
            Assert.That(await Db.ScalarAsync<string>("select action from inbound_sms"), Is.EqualTo("nurture_stopped"));
            Assert.That(JsonDocument.Parse(events["reply.received"].Body).RootElement.GetProperty("data").GetProperty("action").GetString(),
                Is.EqualTo("nurture_stopped"));
        });
    }

    [Test]
    public async Task CancelWithoutAnAppointment_IsTheCarrierOptOut()
    {
        var id = await AdHocAsync("Hello from Acme");
        await WaitForStatusAsync(id, "sent");

        await InboundAsync("cancel");

        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select action from inbound_sms"), Is.EqualTo("opted_out"));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from suppressions where address = @Customer and lifted_at is null", new { Customer }),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SameMessageSidTwice_ActsOnce()
    {
        await BookAsync();
        var form = Inbound("CANCEL", sid: "SM_same");

        var first = await PostSignedAsync("/webhooks/twilio/inbound", form);
        var retry = await PostSignedAsync("/webhooks/twilio/inbound", form);
        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from messages where kind = 'cancellation' and status = 'sent'"),
            n => n == 1, what: "the acknowledgement");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK), "Twilio's retry is answered, and ignored");
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_sms"), Is.EqualTo(1));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where kind = 'cancellation'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task DatabaseFailsMidway_NothingHalfDone_TheRetryActsOnce()
    {
        await BookAsync();
        // The database refuses the appointment's answer once, after the reply row and the reminders'
        // cancellation were written in the same transaction.
        await Db.ExecuteAsync("""
            create sequence fail_once; -- a sequence, because nextval survives the rollback the failure causes
            create function fail_once() returns trigger language plpgsql as $$
            begin
                if nextval('fail_once') = 1 then
                    raise exception 'disk full (simulated)';
                end if;
                return new;
            end $$;
            create trigger fail_once before insert on appointment_replies for each row execute function fail_once();
            """);
        var form = Inbound("CANCEL", sid: "SM_retry");

        var failed = await PostSignedAsync("/webhooks/twilio/inbound", form);
        var afterFailure = (
            Replies: await Db.ScalarAsync<long>("select count(*) from inbound_sms"),
            Reminders: await Db.QueryAsync<string>("select status from messages where kind like 'reminder%'"),
            Acks: await Db.ScalarAsync<long>("select count(*) from messages where kind = 'cancellation'"),
            Suppressed: await Db.ScalarAsync<long>("select count(*) from suppressions"),
            Events: await Db.ScalarAsync<long>("select count(*) from notifications"));
        var retried = await PostSignedAsync("/webhooks/twilio/inbound", form);
        await Eventually.WaitForAsync(() => Db.ScalarAsync<long>("select count(*) from messages where kind = 'cancellation' and status = 'sent'"),
            n => n == 1, what: "the acknowledgement after the retry");

        Assert.Multiple(async () =>
        {
            Assert.That((int)failed.StatusCode, Is.GreaterThanOrEqualTo(500), "Twilio is told to try again");
            Assert.That(afterFailure.Replies, Is.Zero);
            Assert.That(afterFailure.Reminders, Is.All.EqualTo("scheduled"));
            Assert.That((afterFailure.Acks, afterFailure.Suppressed, afterFailure.Events), Is.EqualTo((0L, 0L, 0L)));
            Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Db.QueryAsync<string>("select action from inbound_sms"), Is.EqualTo(new[] { "cancelled" }));
            Assert.That(await Db.QueryAsync<string>("select status from messages where kind like 'reminder%'"), Is.All.EqualTo("cancelled"));
        });
    }

    [Test]
    public async Task ConversationApi_BothDirectionsInTimeOrder_RefusesBadQueries()
    {
        var confirmation = await BookAsync();
        await InboundAsync("C");
        var id = await AdHocAsync("Thanks, see you then");
        await WaitForStatusAsync(id, "sent");

        var thread = JsonDocument.Parse(await Api.Client.GetStringAsync(
            new Uri($"/api/conversations?client_id=acme-dental&phone={Uri.EscapeDataString(Customer)}", UriKind.Relative))).RootElement;
        var noPhone = await Api.Client.GetAsync(new Uri("/api/conversations?client_id=acme-dental&phone=12", UriKind.Relative));
        var noClient = await Api.Client.GetAsync(new Uri($"/api/conversations?phone={Uri.EscapeDataString(Customer)}", UriKind.Relative));
        var unknown = await Api.Client.GetAsync(new Uri($"/api/conversations?client_id=nobody&phone={Uri.EscapeDataString(Customer)}", UriKind.Relative));
        var list = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/conversations?search=Ana", UriKind.Relative))).RootElement;

        var items = thread.GetProperty("items").EnumerateArray().ToList();
        var sent = items.Where(i => i.GetProperty("status").GetString() is "sent" or "read" or "unread").ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(sent.Select(i => (i.GetProperty("direction").GetString(), i.GetProperty("id").GetInt64())).ToList(),
                Is.EqualTo(new[] { ("outbound", confirmation), ("inbound", 1L), ("outbound", id) }), "in the order they happened");
            Assert.That(items.Count(i => i.GetProperty("status").GetString() == "scheduled"), Is.EqualTo(2), "the two reminders, still to come");
            Assert.That(thread.GetProperty("customer_name").GetString(), Is.EqualTo("Ana Diaz"));
            Assert.That(thread.GetProperty("unread").GetInt32(), Is.EqualTo(1));
            Assert.That(thread.GetProperty("appointments")[0].GetProperty("status").GetString(), Is.EqualTo("confirmed"));
            Assert.That(noPhone.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(await noPhone.Content.ReadAsStringAsync(), Does.Contain("\"phone\""));
            Assert.That(noClient.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(await noClient.Content.ReadAsStringAsync(), Does.Contain("\"client_id\""));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(list.EnumerateArray().Select(c => c.GetProperty("phone").GetString()), Is.EqualTo(new[] { Customer }));
            Assert.That(list[0].GetProperty("last_reply").GetString(), Is.EqualTo("C"));
        });
    }

    // --- helpers ---

    /// <summary>Books apt_1 (call_1) three days ahead and waits for its confirmation to go out; returns its id.</summary>
    private async Task<long> BookAsync()
    {
        await PostCallAsync(Call("booked", "call_1"));
        var rows = await Eventually.WaitForAsync(() => Db.QueryAsync<long>("select id from messages where kind = 'confirmation' and status = 'sent'"),
            r => r.Count == 1, what: "the confirmation to be sent");
        return rows[0];
    }

    private static string Call(string outcome, string callId, Instant? occurredAt = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["event_id"] = "evt_" + callId,
        ["event"] = "call_ended",
        ["client_id"] = "acme-dental",
        ["call_id"] = callId,
        ["occurred_at"] = InstantPattern.ExtendedIso.Format(occurredAt ?? SystemClock.Instance.GetCurrentInstant()),
        ["outcome"] = outcome,
        ["customer"] = new { name = "Ana Diaz", phone = Customer },
        ["appointment"] = outcome == "booked"
            ? new { id = "apt_1", starts_at = InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(3)), service = "Cleaning" }
            : null,
    });

    private async Task PostCallAsync(string json)
    {
        using var request = Web.CallWebhookTests.Signed(json);
        var response = await Api.Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    private Task<long> AdHocAsync(string body) => Api.PostSmsAsync(Customer, body);

    private async Task<string> WaitForStatusAsync(long id, string status) =>
        (await Api.WaitForStatusAsync(id, status)).GetProperty("provider_message_id").GetString() ?? "";

    private Task<HttpResponseMessage> InboundAsync(string body) => PostSignedAsync("/webhooks/twilio/inbound", Inbound(body));

    private static Dictionary<string, string> Inbound(string body, string? sid = null) => new()
    {
        ["MessageSid"] = sid ?? "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = AccountSid, ["From"] = Customer,
        ["To"] = ClientNumber, ["Body"] = body, ["NumMedia"] = "0",
    };

    private static Dictionary<string, string> Status(string sid, string status) => new()
    {
        ["MessageSid"] = sid, ["AccountSid"] = AccountSid, ["MessageStatus"] = status, ["To"] = Customer, ["From"] = ClientNumber,
    };

    private Task<HttpResponseMessage> PostSignedAsync(string path, Dictionary<string, string> form) => Api.PostSignedAsync(path, form);

    /// <summary>Waits until the receiver has each of <paramref name="types"/>; the latest of each type.</summary>
    private async Task<Dictionary<string, ReceivedWebhook>> EventsAsync(params string[] types)
    {
        var received = await Eventually.WaitForAsync(() => Task.FromResult(_receiver.Requests),
            r => types.All(t => r.Any(e => e.Header("X-FollowUp-Event") == t)), TimeSpan.FromSeconds(30), $"events {string.Join(", ", types)}");
        return types.ToDictionary(t => t, t => received.Last(e => e.Header("X-FollowUp-Event") == t));
    }
}
