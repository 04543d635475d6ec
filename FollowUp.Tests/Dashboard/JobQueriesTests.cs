using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Jobs;

namespace FollowUp.Tests.Dashboard;

/// <summary>The jobs list's search and keyset paging, against real rows.</summary>
public sealed class JobQueriesTests
{
    private TestDatabase _db = null!;
    private JobQueries _queries = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync();
        _queries = new JobQueries(_db.DataSource);
        // 120 Failed send jobs, one message each; state changed one minute apart; every third to +15550000003.
        await _db.ExecuteAsync("""
            insert into clients (id, name, time_zone, business_hours, webhook_secret, created_at, updated_at)
            values ('acme', 'Acme', 'UTC', '{}', 'whsec_0123456789abcdef', now(), now()), ('beta', 'Beta', 'UTC', '{}', 'whsec_0123456789abcdef', now(), now());
            insert into jobs (type, args, state, run_at, created_at, state_changed_at)
            select case when i % 2 = 0 then 'send-sms' else 'send-email' end, '{}', 'Failed', now(), now(),
                   timestamptz '2026-11-20 00:00:00Z' + i * interval '1 minute'
            from generate_series(1, 120) i;
            insert into jobs (type, args, state, run_at, created_at, state_changed_at)
            values ('send-sms', '{}', 'Succeeded', now(), now(), now());
            insert into messages (client_id, call_id, kind, channel, marketing, recipient, body, scheduled_for, status, job_id, created_at, updated_at)
            select case when id % 4 = 0 then 'beta' else 'acme' end, 'call_' || (id % 10), case when id % 5 = 0 then 'reminder_24h' else 'confirmation' end,
                   'sms', false, case when id % 3 = 0 then '+15550000003' else '+1555000' || lpad(id::text, 4, '0') end, 'b', now(), 'scheduled', id, now(), now()
            from jobs;
            """);
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    [Test]
    public async Task Page_KeysetPages_CoverEveryFailedJobOnce_NewestFirst()
    {
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await _queries.PageAsync(new JobSearch { State = "Failed" }, cursor, CancellationToken.None);
            seen.AddRange(page.Select(r => r.Id));
            cursor = page.Count == JobQueries.PageSize ? JobQueries.Cursor(page[^1]) : null;
        }
        while (cursor is not null);

        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, 120).Reverse().Select(i => (long)i)));
    }

    [TestCase("recipient", "+15550000003", 40)]
    [TestCase("client", "beta", 30)]
    [TestCase("callId", "call_7", 12)]
    [TestCase("kind", "reminder_24h", 24)]
    [TestCase("type", "send-sms", 60)]
    [TestCase("id", "42", 1)]
    public async Task Matching_EachFilter_CountsOnlyItsFailedJobs(string field, string value, int expected)
    {
        var search = new JobSearch { State = "Failed" };
        switch (field)
        {
            case "recipient": search.Recipient = value; break;
            case "client": search.Client = value; break;
            case "callId": search.CallId = value; break;
            case "kind": search.Kind = value; break;
            case "type": search.Type = value; break;
            default: search.Id = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var ids = await _queries.MatchingIdsAsync(search, 0, 1_000, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(ids, Has.Count.EqualTo(expected));
            Assert.That(await _queries.CountAsync(search, CancellationToken.None), Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task Matching_DateRange_IsWholeUtcDays()
    {
        // Minutes 1..120 after 2026-11-20 00:00Z all fall on 2026-11-20.
        var inside = await _queries.CountAsync(new JobSearch { State = "Failed", From = new DateOnly(2026, 11, 20), To = new DateOnly(2026, 11, 20) }, CancellationToken.None);
        var after = await _queries.CountAsync(new JobSearch { State = "Failed", From = new DateOnly(2026, 11, 21) }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(inside, Is.EqualTo(120));
            Assert.That(after, Is.Zero);
        });
    }

    [Test]
    public void Problems_UnknownStateAndReversedDates_EachNamed()
    {
        var problems = new JobSearch { State = "Done", From = new DateOnly(2026, 11, 21), To = new DateOnly(2026, 11, 20) }.Problems();

        Assert.That(problems, Is.EqualTo(new Dictionary<string, string>
        {
            ["State"] = "'Done' is not a job state (Scheduled, Enqueued, Processing, Succeeded, Failed, DeadLettered, Cancelled).",
            ["To"] = "The end date 2026-11-20 is before the start date 2026-11-21.",
        }));
    }
}
