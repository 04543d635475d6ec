using System.Globalization;
using System.Net;
using System.Text.Json;
using FollowUp.Tests.Support;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Messages;

/// <summary>
/// One message, one copy on the customer's phone: one attempt at a time (the send claim), and an attempt
/// after one that may have reached Twilio asks Twilio's Messages list first and adopts the copy it finds;
/// a status callback naming the message records it sent by itself. The app in process, Twilio faked at
/// its wire (it stores what it accepts and lists it back, as Twilio does).
/// </summary>
public sealed class SendOnceTests
{
    private FakeTwilioServer _twilio = null!;
    private TestDatabase _db = null!;
    private ApiHost _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        _db = await TestDatabase.CreateAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _db.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private async Task StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = TwilioTestAccount.Settings(_twilio);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        _api = ApiHost.Start(_db, settings);
        await TestClients.CreateAsync(_api.Services);
    }

    // The outbox may not have given the message its job at the first look: 0 until it has (TestDatabase.ScalarAsync
    // refuses a null, which made the first look throw instead of waiting).
    private Task<long> JobOf(long id) =>
        Eventually.WaitForAsync(() => _db.ScalarAsync<long>("select coalesce(job_id, 0) from messages where id = @id", new { id }), j => j > 0, what: "a job");

    private void Requeue(long jobId) =>
        _api.Services.GetRequiredService<IBackgroundJobClient>().Requeue(jobId.ToString(CultureInfo.InvariantCulture));

    private Task<List<string>> EventsAsync(long id) =>
        _db.QueryAsync<string>("select event || coalesce(': ' || detail, '') from message_events where message_id = @id order by id", new { id });

    /// <summary>As if the attempt's node died after Twilio accepted it and before the answer was stored.</summary>
    private Task ForgetTheAnswerAsync(long id) => _db.ExecuteAsync("""
        update messages set status = 'sending', provider = null, provider_message_id = null, sent_at = null where id = @id
        """, new { id });

    [Test]
    public async Task TwoRunsOfOneMessagesJobAtOnce_ProviderAnswersIn2s_ExactlyOneProviderRequest()
    {
        await StartAsync();
        _twilio.Otherwise = FakeTwilioReply.Slow(TimeSpan.FromSeconds(2));
        var id = await _api.PostSmsAsync("+12125550123", "Your appointment is confirmed.");
        var jobId = await JobOf(id);
        await Eventually.WaitForAsync(() => Task.FromResult(_twilio.Requests.Count), n => n == 1, what: "the first attempt to be calling Twilio");

        // The stock dashboard's Requeue of a Processing job: a second worker runs the same job at once.
        Requeue(jobId);
        await Eventually.WaitForAsync(() => Task.FromResult(HangfireProbe.History(_api.Services, jobId).Count(h => h.StateName == "Processing")), n => n >= 2,
            what: "the second run to start while the first is calling Twilio");
        await _api.WaitForStatusAsync(id, "sent");
        await Eventually.WaitForAsync(() => Task.FromResult(HangfireProbe.StateOf(_api.Services, jobId)), s => s == "Succeeded", what: "both runs to end");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a second request, if any, would be in by now

        var events = await EventsAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1), "the second run waited for the first's claim, then found it sent");
            Assert.That(_twilio.StoredFor("+12125550123", "Your appointment is confirmed."), Is.EqualTo(1));
            Assert.That(events.Count(e => e.StartsWith("sending", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(events, Has.None.StartsWith("possibly_sent"));
        });
    }

    [Test]
    public async Task AttemptDiedAfterTwilioAccepted_NextAttemptFindsItInTwiliosList_AdoptsItsSid_SendsNothing()
    {
        await StartAsync();
        var id = await _api.PostSmsAsync("+12125550123", "See you Tuesday at 3.");
        var first = await _api.WaitForStatusAsync(id, "sent");
        var sid = first.GetProperty("provider_message_id").GetString()!;
        await ForgetTheAnswerAsync(id);

        Requeue(await JobOf(id));
        var adopted = await _api.WaitForStatusAsync(id, "sent");

        var lookup = _twilio.Lookups[0];
        var events = await EventsAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1), "not sent a second time");
            Assert.That(adopted.GetProperty("provider_message_id").GetString(), Is.EqualTo(sid), "the copy Twilio has");
            Assert.That(lookup["To"].ToString(), Is.EqualTo("+12125550123"));
            Assert.That(lookup["From"].ToString(), Is.EqualTo("+12125550100"), "the client's own number");
            Assert.That(lookup.ContainsKey("DateSent>"), Is.True, "filtered by DateSent");
            Assert.That(events, Has.Some.StartsWith("possibly_sent"));
            Assert.That(events[^1], Does.StartWith($"sent: twilio: {sid} (found at the provider"));
        });
    }

    [Test]
    public async Task TwilioTimesOutAfterStoringIt_TheRetryAsksFirst_AndAdoptsInsteadOfSendingAgain()
    {
        await StartAsync(new() { ["FollowUp:Twilio:TimeoutSeconds"] = "1" });
        _twilio.Then(FakeTwilioReply.Slow(TimeSpan.FromSeconds(30)));

        var id = await _api.PostSmsAsync("+12125550123", "Reminder: cleaning tomorrow at 9.");
        var sent = await _api.WaitForStatusAsync(id, "sent");

        var events = await EventsAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1));
            Assert.That(_twilio.StoredFor("+12125550123", "Reminder: cleaning tomorrow at 9."), Is.EqualTo(1), "one copy on the phone");
            Assert.That(sent.GetProperty("provider_message_id").GetString(), Does.StartWith("SM"));
            Assert.That(events, Has.Some.StartsWith("possibly_sent: twilio failed after the request was sent"));
            Assert.That(events, Has.Some.Contains("found at the provider"));
        });
    }

    [Test]
    public async Task StillInTwiliosQueue_NoDateSentYet_FoundOnTheNewestPage()
    {
        await StartAsync(new() { ["FollowUp:Twilio:TimeoutSeconds"] = "1" });
        _twilio.Then(FakeTwilioReply.Slow(TimeSpan.FromSeconds(30)) with { Queued = true });

        var id = await _api.PostSmsAsync("+12125550123", "Queued at Twilio.");
        await _api.WaitForStatusAsync(id, "sent");

        Assert.Multiple(() =>
        {
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1));
            Assert.That(_twilio.Lookups, Has.Count.EqualTo(2), "by DateSent first (none), then the newest page");
            Assert.That(_twilio.Lookups[1].ContainsKey("DateSent>"), Is.False);
        });
    }

    [Test]
    public async Task PossiblySentButTwilioHasNoSuchMessage_SendsIt()
    {
        await StartAsync();
        var id = await _api.PostSmsAsync("+12125550123", "Hello");
        await _api.WaitForStatusAsync(id, "sent");
        // Same recipient and sender, another body: not this message.
        await _db.ExecuteAsync("update messages set body = 'Hello again' where id = @id", new { id });
        await ForgetTheAnswerAsync(id);

        Requeue(await JobOf(id));
        await Eventually.WaitForAsync(() => Task.FromResult(_twilio.Requests.Count), n => n == 2, what: "the resend");
        var sent = await _api.WaitForStatusAsync(id, "sent");

        Assert.Multiple(() =>
        {
            Assert.That(_twilio.Lookups, Is.Not.Empty);
            Assert.That(_twilio.Requests[1].Form["Body"].ToString(), Is.EqualTo("Hello again"));
            Assert.That(sent.GetProperty("provider_message_id").GetString(), Does.StartWith("SM"));
        });
    }

    [Test]
    public async Task TwilioCannotBeAsked_TheAttemptFailsWithoutSending_TheRetryAsksAgain()
    {
        await StartAsync();
        var id = await _api.PostSmsAsync("+12125550123", "Hello");
        await _api.WaitForStatusAsync(id, "sent");
        await ForgetTheAnswerAsync(id);
        _twilio.ListStatus = 500;

        Requeue(await JobOf(id));
        await Eventually.WaitForAsync(() => EventsAsync(id), e => e.Any(x => x.Contains("could not ask twilio", StringComparison.Ordinal)),
            what: "the failed lookup");
        var requestsWhileDown = _twilio.Requests.Count;
        _twilio.ListStatus = null;
        var sent = await _api.WaitForStatusAsync(id, "sent");

        Assert.Multiple(() =>
        {
            Assert.That(requestsWhileDown, Is.EqualTo(1), "nothing sent blind while Twilio could not be asked");
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1), "the retry found the copy");
            Assert.That(_twilio.Lookups.Count, Is.GreaterThanOrEqualTo(2));
            Assert.That(sent.TryGetProperty("error", out var error) ? error.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null),
                "the adopted send clears the lookup's error");
        });
    }

    [Test]
    public async Task EachSendsStatusCallbackNamesItsMessage_ACallbackForAnAttemptThatDied_RecordsTheSidAndStatus()
    {
        await StartAsync();
        var id = await _api.PostSmsAsync("+12125550123", "Hi");
        await _api.WaitForStatusAsync(id, "sent");
        var callback = _twilio.Requests.Single().Form["StatusCallback"].ToString();
        await ForgetTheAnswerAsync(id);
        const string sid = "SM0000000000000000000000000000dead";

        var path = callback[TwilioTestAccount.PublicBase.Length..];
        var response = await _api.PostSignedAsync(path, new()
        {
            ["MessageSid"] = sid, ["AccountSid"] = TwilioTestAccount.AccountSid, ["MessageStatus"] = "delivered",
            ["To"] = "+12125550123", ["From"] = "+12125550100", ["ApiVersion"] = "2010-04-01",
        });
        var delivered = await _api.WaitForStatusAsync(id, "delivered");
        // Its job runs again (the dead node's job became visible): it finds the message delivered.
        var jobId = await JobOf(id);
        var runs = HangfireProbe.History(_api.Services, jobId).Count(h => h.StateName == "Succeeded");
        Requeue(jobId);
        await Eventually.WaitForAsync(() => Task.FromResult(HangfireProbe.History(_api.Services, jobId).Count(h => h.StateName == "Succeeded")),
            n => n > runs, what: "the job's run after the callback");
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(callback, Is.EqualTo($"{TwilioTestAccount.PublicBase}/webhooks/twilio/status?message_id={id}"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(delivered.GetProperty("provider_message_id").GetString(), Is.EqualTo(sid));
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1), "not sent again");
            Assert.That(_twilio.Lookups, Is.Empty, "a sent message needs no lookup");
        });
    }

    [Test]
    public async Task StatusCallbackNamingAMessage_WithAForgedSignature_Is401_AndChangesNothing()
    {
        await StartAsync();
        var id = await _api.PostSmsAsync("+12125550123", "Hi");
        await _api.WaitForStatusAsync(id, "sent");
        await ForgetTheAnswerAsync(id);

        var response = await _api.PostSignedAsync($"/webhooks/twilio/status?message_id={id}", new()
        {
            ["MessageSid"] = "SMforged", ["AccountSid"] = TwilioTestAccount.AccountSid, ["MessageStatus"] = "delivered",
        }, token: "not-the-auth-token");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await _db.ScalarAsync<string>("select status from messages where id = @id", new { id }), Is.EqualTo("sending"));
        });
    }
}
