using System.Text.Json;
using Dapper;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Messages;

/// <summary>
/// The search's query plans, read from PostgreSQL's EXPLAIN over a seeded table (statistics analysed):
/// q goes through the trigram indexes, never a scan of every message. No timings here; those are in bench/.
/// </summary>
public sealed class MessageSearchPlanTests
{
    private TestDatabase _db = null!;

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        // Seeding takes a while on a busy machine: no 30-second command timeout here.
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into clients (id, name, time_zone, business_hours, webhook_secret, created_at, updated_at)
            values ('acme-dental', 'Acme Dental', 'America/New_York', '{}', 'whsec_0123456789abcdef', now(), now());
            insert into inbound_webhooks (source, client_id, event_id, raw_body, status, received_at)
            values ('followup', 'acme-dental', 'evt_seed', '{}', 'processed', now());
            -- 20,000 calls, one customer each, and 100,000 messages (five per call): enough rows that a
            -- sequential scan costs what it would at scale, so the planner's choice means something.
            insert into calls (client_id, call_id, outcome, occurred_at, customer_name, customer_phone, webhook_id, created_at, updated_at)
            select 'acme-dental', 'call_' || i, 'booked', now(), 'Customer ' || md5(i::text), '+1212' || lpad(i::text, 7, '0'),
                   (select id from inbound_webhooks), now(), now()
            from generate_series(1, 20000) i;
            insert into messages (client_id, call_id, kind, channel, marketing, recipient, body, scheduled_for, status, created_at, updated_at)
            select 'acme-dental', 'call_' || (i % 20000 + 1), 'reminder_1h', 'sms', false, '+1212' || lpad((i % 20000 + 1)::text, 7, '0'),
                   'Reminder ' || md5((i * 7)::text) || ' see you soon', now(), 'sent', now(), now()
            from generate_series(1, 100000) i;
            analyze messages; analyze calls;
            """, commandTimeout: 600));
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _db.DisposeAsync();

    private async Task<string> PlanAsync(MessageFilter filter)
    {
        var (sql, args) = MessageSearch.Build(filter, 50);
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        var json = await connection.ExecuteScalarAsync<string>("explain (format json) " + sql, args);
        return json!;
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }

    private static List<JsonElement> NodesOf(string plan) => Nodes(JsonDocument.Parse(plan).RootElement[0].GetProperty("Plan")).ToList();

    [Test]
    public async Task Query_UsesTheTrigramIndexes_NoScanOfEveryMessage()
    {
        var plan = await PlanAsync(new MessageFilter { Query = "c4ca4238a0" });
        var nodes = NodesOf(plan);
        var indexes = nodes.Where(n => n.TryGetProperty("Index Name", out _)).Select(n => n.GetProperty("Index Name").GetString()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(indexes, Does.Contain("messages_body_trgm").And.Contain("messages_recipient_trgm"), plan);
            // The 20,000 calls are cheap enough to scan that the planner does (calls_customer_name_trgm is
            // for tables past that); every message is never read.
            Assert.That(nodes.Where(n => n.GetProperty("Node Type").GetString() == "Seq Scan")
                .Select(n => n.GetProperty("Relation Name").GetString()), Has.None.EqualTo("messages"), plan);
        });
    }

    [Test]
    public async Task Query_FindsBodyRecipientAndName()
    {
        var search = new MessageSearch(_db.DataSource);
        // Message 3000's body is md5(21000); no customer is named so (names go to md5(20000)).
        var md5Of21000 = await _db.ScalarAsync<string>("select md5('21000')");
        var md5Of1 = await _db.ScalarAsync<string>("select md5('1')");

        var byBody = await search.SearchAsync(new MessageFilter { Query = md5Of21000[..12].ToUpperInvariant() }, 50, CancellationToken.None);
        var byName = await search.SearchAsync(new MessageFilter { Query = "customer " + md5Of1 }, 50, CancellationToken.None);
        var byRecipient = await search.SearchAsync(new MessageFilter { Query = "2120019999" }, 50, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(byBody.Select(m => m.Id), Is.EqualTo(new long[] { 3000 }), "the body, any case");
            Assert.That(byName.Select(m => m.CallId).ToList(), Has.Count.EqualTo(5).And.All.EqualTo("call_1"));
            Assert.That(byRecipient.Select(m => m.Recipient).ToList(), Has.Count.EqualTo(5).And.All.EqualTo("+12120019999"));
            Assert.That(byName.Select(m => m.Id), Is.Ordered.Descending);
        });
    }
}
