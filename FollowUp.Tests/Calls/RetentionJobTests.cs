using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Engine;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Calls;

/// <summary>The call-webhook journal stops growing without bound: old processed bodies are blanked, nothing else.</summary>
public sealed class RetentionJobTests : EngineTest
{
    protected override bool StartsEngineInSetUp => false;

    // The audit test needs no client; the journal test creates the test clients itself.
    protected override bool CreatesTestClients => false;

    [Test]
    public async Task RunAsync_BlanksOldProcessedBodies_KeepsRowsOutcomesAndReplayableOnes()
    {
        await StartEngineAsync(new()
        {
            ["FollowUp:Engine:RunServer"] = "false",
            ["FollowUp:Engine:WebhookBodyRetentionDays"] = "30",
        });
        await TestClients.CreateAsync(Engine.Services);
        await Db.ExecuteAsync("""
            insert into inbound_webhooks (source, client_id, event_id, call_id, outcome, raw_body, status, received_at, response)
            values ('followup', 'acme-dental', 'old-done', 'c1', 'booked', '{"old":1}', 'processed', now() - interval '31 days', '{"call_id":"c1"}'),
                   ('followup', 'acme-dental', 'old-failed', 'c2', 'booked', '{"failed":1}', 'failed', now() - interval '31 days', null),
                   ('followup', 'acme-dental', 'new-done', 'c3', 'booked', '{"new":1}', 'processed', now() - interval '29 days', '{"call_id":"c3"}')
            """);

        await using var scope = Engine.Services.CreateAsyncScope();
        var blanked = await ActivatorUtilities.CreateInstance<RetentionJob>(scope.ServiceProvider).RunAsync(CancellationToken.None);

        var rows = await Db.QueryAsync<(string EventId, string RawBody, bool Removed, string Outcome, string? Response)>(
            "select event_id, raw_body, body_removed_at is not null, outcome, response::text from inbound_webhooks order by id");
        Assert.Multiple(() =>
        {
            Assert.That(blanked, Is.EqualTo(1));
            Assert.That(rows[0], Is.EqualTo(("old-done", "", true, "booked", (string?)"""{"call_id": "c1"}""")));
            Assert.That(rows[1].RawBody, Is.EqualTo("""{"failed":1}"""), "a failed entry keeps its body: it may be replayed");
            Assert.That(rows[2].RawBody, Is.EqualTo("""{"new":1}"""));
        });
    }

    [Test]
    public async Task RunAsync_DeletesAuditEntriesOlderThanTheRetention_KeepsNewerOnes()
    {
        await StartEngineAsync(new()
        {
            ["FollowUp:Engine:RunServer"] = "false",
            ["FollowUp:Engine:AuditRetentionDays"] = "90",
        });
        await Db.ExecuteAsync("""
            insert into audit_log (actor, action, target, at)
            values ('admin', 'user.add', 'user old', now() - interval '91 days'),
                   ('admin', 'user.add', 'user recent', now() - interval '89 days'),
                   ('admin', 'user.add', 'user today', now())
            """);

        await using var scope = Engine.Services.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<RetentionJob>(scope.ServiceProvider).RunAsync(CancellationToken.None);

        Assert.That(await Db.QueryAsync<string>("select target from audit_log order by id"), Is.EqualTo(new[] { "user recent", "user today" }));
    }
}
