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

namespace FollowUp.Tests.Conversations;

/// <summary>Business notifications end to end: failing receivers, lost jobs, delivery and dead-letter events.</summary>
public sealed partial class ConversationTests
{
    [Test]
    public async Task ReceiverAnswers500_ThreeAttemptsADelayApart_DeadLetter_RequeueDeliversTheSameEvent()
    {
        _receiver.Status = 500;
        await InboundAsync("hello?");

        var deadLetter = await Eventually.WaitForAsync(
            () => Db.QueryAsync<(long Id, long JobId, int Attempts)>("select id, job_id, attempts from dead_letters where notification_id is not null"),
            rows => rows.Count == 1, TimeSpan.FromSeconds(60), "the notification's dead letter");
        var (status, attempts, lastResponse) = (await Db.QueryAsync<(string, int, int)>(
            "select status, attempts, last_response from notifications"))[0];
        var history = HangfireProbe.History(Api.Services, deadLetter[0].JobId).Select(h => h.Reason ?? "").ToList();
        var firstThree = _receiver.Requests.ToList();

        _receiver.Status = 200;
        var requeue = await Api.Client.PostAsync(new Uri($"/api/dead-letters/{deadLetter[0].Id}/requeue", UriKind.Relative), null);
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select status from notifications"), s => s == "delivered",
            what: "the requeued notification to be delivered");

        Assert.Multiple(() =>
        {
            Assert.That(deadLetter[0].Attempts, Is.EqualTo(3));
            Assert.That((status, attempts, lastResponse), Is.EqualTo(("dead_lettered", 3, 500)));
            Assert.That(history, Has.Some.StartsWith("Attempt 2 of 3 in 1 s"));
            Assert.That(history, Has.Some.StartsWith("Attempt 3 of 3 in 1 s"));
            Assert.That(firstThree, Has.Count.EqualTo(3));
            Assert.That(firstThree.Select(r => r.Body).Distinct().Count(), Is.EqualTo(1), "every attempt sends the same event, same id");
            Assert.That(requeue.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(_receiver.Requests, Has.Count.EqualTo(4));
            Assert.That(_receiver.Requests[3].Body, Is.EqualTo(firstThree[0].Body));
        });
    }

    [Test]
    public async Task NotificationWhoseJobWasDeleted_ReconcilerGivesItANewJob_Delivered()
    {
        // A pending notification whose delivery job someone deleted on /hangfire before it ran.
        var jobs = Api.Services.GetRequiredService<IBackgroundJobClient>();
        var deleted = long.Parse(jobs.Create(Job.FromExpression(() => Console.WriteLine("lost")), new DeletedState()),
            System.Globalization.CultureInfo.InvariantCulture);
        await Db.ExecuteAsync("""
            insert into notifications (client_id, type, data, created_at, status, job_id)
            values ('acme-dental', 'reply.received', '{"body": "hello"}', now() - interval '1 hour', 'pending', @deleted)
            """, new { deleted });

        await using (var scope = Api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<JobReconciler>().RunAsync(CancellationToken.None);
        }

        var events = await EventsAsync("reply.received");
        // The receiver has the event before the job records its answer: wait for that write, then check it.
        await Eventually.WaitForAsync(() => Db.ScalarAsync<string>("select status from notifications"), s => s == "delivered",
            what: "the delivery job to record its answer");
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.ScalarAsync<string>("select status from notifications"), Is.EqualTo("delivered"));
            Assert.That(await Db.ScalarAsync<long>("select job_id from notifications"), Is.Not.EqualTo(deleted));
            Assert.That(JsonDocument.Parse(events["reply.received"].Body).RootElement.GetProperty("data").GetProperty("body").GetString(), Is.EqualTo("hello"));
            Assert.That(await Db.ScalarAsync<string>("select detail from reconciler_runs"), Does.Contain("its job was lost"));
        });
    }

    [Test]
    public async Task DeliveryCallbacksAndDeadLetters_ReachTheBusiness()
    {
        var delivered = await AdHocAsync("One");
        var sid = await WaitForStatusAsync(delivered, "sent");
        await PostSignedAsync("/webhooks/twilio/status", Status(sid, "delivered"));
        await PostSignedAsync("/webhooks/twilio/status", Status(sid, "delivered"));
        _twilio.Then(FakeTwilioReply.ServerError()).Then(FakeTwilioReply.ServerError()).Then(FakeTwilioReply.ServerError());
        var dead = await AdHocAsync("Two");

        var events = await EventsAsync("message.delivered", "message.dead_lettered");

        Assert.Multiple(() =>
        {
            Assert.That(JsonDocument.Parse(events["message.delivered"].Body).RootElement.GetProperty("data").GetProperty("message_id").GetInt64(),
                Is.EqualTo(delivered));
            var data = JsonDocument.Parse(events["message.dead_lettered"].Body).RootElement.GetProperty("data");
            Assert.That(data.GetProperty("message_id").GetInt64(), Is.EqualTo(dead));
            Assert.That(data.GetProperty("status").GetString(), Is.EqualTo("dead_lettered"));
            Assert.That(data.GetProperty("attempts").GetInt32(), Is.EqualTo(3));
            Assert.That(_receiver.Requests.Count(r => r.Header("X-FollowUp-Event") == "message.delivered"), Is.EqualTo(1),
                "a repeated callback moves nothing and tells nobody");
        });
    }
}
