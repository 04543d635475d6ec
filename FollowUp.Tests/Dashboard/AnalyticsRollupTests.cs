using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Analytics;
using NodaTime;
using NodaTime.Testing;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// The analytics rollups on real PostgreSQL: after a mix of plans, sends, failed attempts, retries, dead
/// letters, provider callbacks, a deferral to the next day, a cancel, a skip and a delete — driven through the
/// product's own writers (MessageStore, DeliveryUpdates, the dead-letter handler) — the rollups equal a
/// direct scan of messages (before a fold, after it, and after more changes), and the report's figures are
/// the ones worked out by hand for the fixture.
/// </summary>
public sealed class AnalyticsRollupTests
{
    private static readonly Instant Day1 = Instant.FromUtc(2026, 11, 30, 9, 0);
    private TestDatabase _db = null!;
    private FakeClock _clock = null!;
    private MessageStore _store = null!;
    private DeliveryUpdates _deliveries = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync();
        _clock = new FakeClock(Day1);
        _store = new MessageStore(_db.DataSource, _clock);
        _deliveries = new DeliveryUpdates(_db.DataSource, _clock);
        await _db.ExecuteAsync("""
            insert into clients (id, name, time_zone, business_hours, webhook_secret, created_at, updated_at)
            values ('alpha', 'Alpha', 'UTC', '{}', 'unused', now(), now()), ('beta', 'Beta', 'UTC', '{}', 'unused', now(), now())
            """);
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private async Task<long[]> PlanAsync(params NewMessage[] messages)
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var ids = await _store.InsertManyAsync(messages, tx, CancellationToken.None);
        await tx.CommitAsync();
        return [.. ids];
    }

    private static NewMessage Sms(string client, string kind, Instant due) => new(client, kind, Channel.Sms, "+12125550123", null, "Hi", due);

    private async Task SendAsync(long id, Duration late, string sid, string provider = "twilio")
    {
        _clock.Reset((await _store.FindAsync(id, CancellationToken.None))!.ScheduledFor + late);
        Assert.That(await _store.MarkSendingAsync(id, "attempt", CancellationToken.None), Is.True);
        Assert.That(await _store.MarkSentAsync(id, new SentReceipt(provider, sid, null, 2, 0.0166m, "USD"), CancellationToken.None), Is.True);
    }

    private async Task FailAttemptAsync(long id)
    {
        Assert.That(await _store.MarkSendingAsync(id, "attempt", CancellationToken.None), Is.True);
        Assert.That(await _store.RecordFailureAsync(id, "twilio: 503", "attempt failed", CancellationToken.None), Is.True);
    }

    private async Task DeadLetterAsync(long id)
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await new SendMessageDeadLetters(_store, _clock).DeadLetteredAsync(
            new DeadLetterEvent(1, 1, new DeadLetterSubject(id, null), "system", Attempts: 3, Error: "twilio: 503", FirstTime: false), tx, CancellationToken.None);
        await tx.CommitAsync();
    }

    /// <summary>The fixture (UTC): day 1 is 2026-11-30, day 2 2026-12-01.</summary>
    private async Task<long[]> MixAsync()
    {
        var ids = await PlanAsync(
            Sms("alpha", MessageKind.Reminder24h, Day1),                       // 0: sent 3 s late, delivered
            Sms("alpha", MessageKind.Reminder24h, Day1),                       // 1: a failed attempt, sent 70 s late, undelivered 30003
            Sms("alpha", MessageKind.Confirmation, Day1),                      // 2: two failed attempts, dead-lettered
            Sms("alpha", MessageKind.Confirmation, Day1),                      // 3: sent 20 s late, failed 30007
            Sms("beta", MessageKind.Reminder24h, Day1),                        // 4: cancelled
            Sms("beta", MessageKind.Reminder24h, Day1),                        // 5: skipped
            Sms("beta", MessageKind.AdHoc, Day1),                              // 6: deferred to day 2, a failed attempt, sent there 2 s late
            Sms("alpha", MessageKind.AdHoc, Day1));                            // 7: deleted
        await SendAsync(ids[0], Duration.FromSeconds(3), "SM0");
        await _deliveries.ApplyAsync("twilio", "SM0", MessageStatus.Delivered, null, 2, 0.0166m, "USD", CancellationToken.None);
        await FailAttemptAsync(ids[1]);
        await SendAsync(ids[1], Duration.FromSeconds(70), "SM1");
        await _deliveries.ApplyAsync("twilio", "SM1", MessageStatus.Undelivered, "Twilio error 30003", null, null, null, CancellationToken.None);
        await FailAttemptAsync(ids[2]);
        await FailAttemptAsync(ids[2]);
        await DeadLetterAsync(ids[2]);
        await SendAsync(ids[3], Duration.FromSeconds(20), "SM3");
        await _deliveries.ApplyAsync("twilio", "SM3", MessageStatus.Failed, "Twilio error 30007", null, null, null, CancellationToken.None);
        Assert.That((await _store.CancelAsync(ids[4], "by test", null, CancellationToken.None)).Cancelled, Is.True);
        Assert.That(await _store.SkipAsync(ids[5], "opted out", CancellationToken.None), Is.True);
        Assert.That(await _store.DeferAsync(ids[6], Day1 + Duration.FromDays(1), "business hours", CancellationToken.None), Is.True);
        _clock.Reset(Day1 + Duration.FromDays(1));
        await FailAttemptAsync(ids[6]);
        await SendAsync(ids[6], Duration.FromSeconds(2), "SM6");
        await _db.ExecuteAsync("delete from messages where id = @id", new { id = ids[7] });
        return ids;
    }

    private const string RollupSql = """
        select day::text, client_id, kind, channel, provider, currency, status, sum(messages)::bigint as messages, sum(went_out)::bigint as went_out,
               sum(retried)::bigint as retried, sum(retried_sent)::bigint as retried_sent, sum(segments)::bigint as segments, sum(cost)::numeric(18, 5) as cost
        from (select day, client_id, kind, channel, provider, currency, status, messages, went_out, retried, retried_sent, segments, cost from message_daily
              union all
              select day, client_id, kind, channel, provider, currency, status, messages, went_out, retried, retried_sent, segments, cost from message_daily_changes) r
        group by 1, 2, 3, 4, 5, 6, 7
        having sum(messages) <> 0 or sum(went_out) <> 0 or sum(cost) <> 0
        order by 1, 2, 3, 4, 5, 6, 7
        """;

    // The same figures straight from messages, retries told by their events (not the new column).
    private const string ScanSql = """
        select (coalesce(sent_at, scheduled_for) at time zone 'UTC')::date::text as day, client_id, kind, channel, coalesce(provider, '') as provider,
               coalesce(currency, '') as currency, status, count(*) as messages, count(sent_at) as went_out,
               count(*) filter (where r.failed) as retried, count(sent_at) filter (where r.failed) as retried_sent,
               coalesce(sum(segments) filter (where sent_at is not null), 0)::bigint as segments,
               coalesce(sum(cost) filter (where sent_at is not null), 0)::numeric(18, 5) as cost
        from messages m
        cross join lateral (select exists (select 1 from message_events e where e.message_id = m.id and e.event in ('attempt_failed', 'dead_lettered')) as failed) r
        group by 1, 2, 3, 4, 5, 6, 7
        order by 1, 2, 3, 4, 5, 6, 7
        """;

    private const string RollupErrorsSql = """
        select day::text, client_id, kind, status, error, sum(messages)::bigint as messages
        from (select day, client_id, kind, status, error, messages from message_daily_errors
              union all select day, client_id, kind, status, error, messages from message_daily_changes where error is not null) e
        group by 1, 2, 3, 4, 5 having sum(messages) <> 0 order by 1, 2, 3, 4, 5
        """;

    private const string ScanErrorsSql = """
        select (coalesce(sent_at, scheduled_for) at time zone 'UTC')::date::text as day, client_id, kind, status, error, count(*) as messages
        from messages where status in ('undelivered', 'failed') group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
        """;

    private const string RollupLatenessSql = """
        select day::text, client_id, kind, bucket::int, sum(messages)::bigint as messages
        from (select day, client_id, kind, bucket, messages from message_daily_lateness
              union all select day, client_id, kind, bucket, went_out from message_daily_changes where bucket is not null) l
        group by 1, 2, 3, 4 having sum(messages) <> 0 order by 1, 2, 3, 4
        """;

    private async Task<List<string>> RowsAsync(string sql) =>
        [.. (await _db.QueryAsync<dynamic>(sql)).Select(r => string.Join(" | ", ((IDictionary<string, object>)r).Values))];

    // Lateness buckets worked out here from the bounds, not by the SQL function.
    private async Task<List<string>> ScannedLatenessAsync()
    {
        var sent = await _db.QueryAsync<(string Day, string ClientId, string Kind, double Seconds)>("""
            select (sent_at at time zone 'UTC')::date::text, client_id, kind, extract(epoch from sent_at - scheduled_for)::float8
            from messages where sent_at is not null
            """);
        int Bucket(double s) => AnalyticsQueries.LatenessBounds.Count(b => b <= Math.Max(0, s)) - 1;
        return [.. sent.GroupBy(s => (s.Day, s.ClientId, s.Kind, Bucket(s.Seconds))).OrderBy(g => g.Key)
            .Select(g => $"{g.Key.Day} | {g.Key.ClientId} | {g.Key.Kind} | {g.Key.Item4} | {g.Count()}")];
    }

    private async Task AssertRollupsEqualScanAsync(string when)
    {
        var rollup = await RowsAsync(RollupSql);
        var scan = await RowsAsync(ScanSql);
        TestContext.Out.WriteLine($"{when}:\n  " + string.Join("\n  ", rollup));
        Assert.Multiple(async () =>
        {
            Assert.That(rollup, Is.EqualTo(scan), $"{when}: message_daily");
            Assert.That(await RowsAsync(RollupErrorsSql), Is.EqualTo(await RowsAsync(ScanErrorsSql)), $"{when}: errors");
            Assert.That(await RowsAsync(RollupLatenessSql), Is.EqualTo(await ScannedLatenessAsync()), $"{when}: lateness");
        });
    }

    [Test]
    public async Task Rollups_AfterAMixOfSendsFailuresRetriesDeadLetters_EqualAScanOfMessages_BeforeAndAfterTheFold()
    {
        var ids = await MixAsync();
        await AssertRollupsEqualScanAsync("before any fold");

        var taken = await AnalyticsFoldJob.FoldAsync(_db.DataSource, CancellationToken.None);
        Assert.That(await _db.ScalarAsync<long>("select count(*) from message_daily_changes"), Is.Zero);
        Assert.That(taken, Is.GreaterThan(0));
        await AssertRollupsEqualScanAsync("after the fold");

        // More changes on top of folded rows: a requeued dead letter sent at last, a late price callback.
        Assert.That(await _store.TransitionAsync(ids[2], new StatusChange(MessageStatus.Scheduled, MessageStatus.Requeueable, "requeued", "by test"), null,
            CancellationToken.None), Is.True);
        await SendAsync(ids[2], Duration.FromMinutes(10), "SM2");
        await _deliveries.ApplyAsync("twilio", "SM0", MessageStatus.Delivered, null, 3, 0.0249m, "USD", CancellationToken.None);
        await AssertRollupsEqualScanAsync("after more changes");
        await AnalyticsFoldJob.FoldAsync(_db.DataSource, CancellationToken.None);
        await AssertRollupsEqualScanAsync("after the second fold");
    }

    [Test]
    public async Task Report_OfTheFixture_HasTheFiguresWorkedOutByHand()
    {
        await MixAsync();
        await AnalyticsFoldJob.FoldAsync(_db.DataSource, CancellationToken.None);
        var queries = new AnalyticsQueries(_db.DataSource);
        var day1 = new LocalDate(2026, 11, 30);
        var day2 = new LocalDate(2026, 12, 1);

        var all = await queries.ReportAsync(day1, day2, null, CancellationToken.None);
        var alpha = await queries.ReportAsync(day1, day1, "alpha", CancellationToken.None);
        var betaDay1 = await queries.ReportAsync(day1, day1, "beta", CancellationToken.None);

        Assert.Multiple(() =>
        {
            // Sent: 0, 1, 3 (alpha, day 1) and 6 (beta, day 2). Final: delivered 0, undelivered 1, failed 3.
            Assert.That(all.Sent, Is.EqualTo(4));
            Assert.That(all.DeliveryRate, Is.EqualTo(1.0 / 3));
            Assert.That(all.UndeliveredShare, Is.EqualTo(1.0 / 3));
            Assert.That(all.FailedShare, Is.EqualTo(1.0 / 3));
            Assert.That(all.AwaitingFinal, Is.EqualTo(1), "6 is sent, no report yet");
            // Failed an attempt: 1, 2, 6; of them sent afterwards: 1 and 6.
            Assert.That((all.Retried, all.RetriedSent), Is.EqualTo((3L, 2L)));
            Assert.That(all.RetrySuccess, Is.EqualTo(2.0 / 3));
            // Dead-lettered 2 of 4 sent + 1 dead-lettered.
            Assert.That(all.DeadLetterRate, Is.EqualTo(1.0 / 5));
            Assert.That(all.TopUndelivered.Select(e => (e.Error, e.Messages)), Is.EqualTo(new[] { ("Twilio error 30003", 1L) }));
            Assert.That(all.TopFailed.Select(e => (e.Error, e.Messages)), Is.EqualTo(new[] { ("Twilio error 30007", 1L) }));
            // reminder_24h: 3 s [1, 5) and 70 s [60, 120): p50 is the first (≤ 5 s), p95 the second (≤ 2 min).
            // confirmation: 20 s [15, 30). adhoc: 2 s [1, 5).
            Assert.That(all.Lateness.Select(l => (l.Kind, l.Count, l.P50, l.P95)), Is.EqualTo(new[]
            {
                ("adhoc", 1L, "≤ 5 s", "≤ 5 s"), ("confirmation", 1L, "≤ 30 s", "≤ 30 s"), ("reminder_24h", 2L, "≤ 5 s", "≤ 2 min"),
            }));
            // Per day, kind, channel and provider: cost 0.0166 a send (two segments), the dead letter with no provider.
            Assert.That(all.Table.Select(t => $"{t.Day:yyyy-MM-dd} {t.Kind} {t.Provider} {t.Sent}/{t.Delivered}/{t.Undelivered}/{t.Failed}/{t.DeadLettered} {t.Segments} {t.Cost:0.0000}"),
                Is.EqualTo(new[]
                {
                    "2026-11-30 confirmation  0/0/0/0/1 0 0.0000",
                    "2026-11-30 confirmation twilio 1/0/0/1/0 2 0.0166",
                    "2026-11-30 reminder_24h twilio 2/1/1/0/0 4 0.0332",
                    "2026-12-01 adhoc twilio 1/0/0/0/0 2 0.0166",
                }));
            Assert.That(all.PerDay.Select(d => (d.Succeeded, d.Failed, d.DeadLettered)), Is.EqualTo(new[] { (1L, 2L, 1L), (1L, 0L, 0L) }));
            Assert.That((alpha.Sent, alpha.DeadLettered, alpha.Delivered), Is.EqualTo((3L, 1L, 1L)), "alpha on day 1 alone");
            Assert.That((betaDay1.Sent, betaDay1.Table.Count), Is.EqualTo((0L, 0)), "beta's send moved to day 2 with its deferral");
        });
    }
}
