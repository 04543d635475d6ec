using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Overview;
using NodaTime;

namespace FollowUp.Tests.Dashboard;

/// <summary>The overview's charts count what the messages, failed attempts and dead letters say, bucket by bucket.</summary>
public sealed class OverviewQueriesTests
{
    [Test]
    public async Task SeriesAsync_PerDay_EachDayCountsItsSendsFailedAttemptsAndDeadLetters_TodayLive()
    {
        await using var db = await TestDatabase.CreateAsync();
        var now = SystemClock.Instance.GetCurrentInstant();
        await db.ExecuteAsync("""
            insert into clients (id, name, time_zone, business_hours, webhook_secret, created_at, updated_at)
            values ('acme-dental', 'Acme', 'UTC', '{}', 'whsec_0123456789abcdef', @now, @now);
            -- Sends on 16 days (two before the chart's window), by two providers, one message sent then undelivered.
            insert into messages (client_id, kind, channel, marketing, recipient, body, scheduled_for, status, provider,
                                  sent_at, cost, currency, job_id, created_at, updated_at)
            select 'acme-dental', 'confirmation', 'sms', false, '+12125551111', 'seeded', t, s, p, t, 0.0079, 'USD', 0, t, t
            from generate_series(0, 15) d, generate_series(1, 3) n,
                 lateral (select @now - d * interval '1 day' - n * interval '7 minutes' as t,
                                 case when n = 2 then 'sendgrid' else 'twilio' end as p,
                                 case when d = 3 and n = 1 then 'undelivered' else 'sent' end as s) x
            where d % 5 <> 4;
            insert into message_events (message_id, at, event, detail)
            select (select min(id) from messages), @now - d * interval '1 day', 'attempt_failed', 'seeded' from generate_series(0, 15, 2) d;
            insert into dead_letters (job_id, job_type, job_method, args, attempts, reason, exception_type, exception_message, dead_lettered_at)
            select d, 'T', 'M', '{}', 3, 'r', 'E', 'm', @now - d * interval '1 day' from generate_series(1, 15, 3) d;
            """, new { now });
        await StateCountJob.RefreshAsync(db.DataSource, now, CancellationToken.None);
        // Sent after the last recount: today's bar shows it at once.
        await db.ExecuteAsync("""
            insert into messages (client_id, kind, channel, marketing, recipient, body, scheduled_for, status, provider, sent_at, job_id, created_at, updated_at)
            values ('acme-dental', 'adhoc', 'sms', false, '+12125552223', 'late', @now, 'sent', 'twilio', @now, 0, @now, @now)
            """, new { now });

        var series = await new OverviewQueries(db.DataSource).SeriesAsync(now, perDay: true, CancellationToken.None);

        var expected = await db.QueryAsync<(Instant Day, long Sent, long Failed, long Dead)>("""
            select d, (select count(*) from messages where sent_at >= d and sent_at < d + interval '1 day'),
                      (select count(*) from message_events where event = 'attempt_failed' and at >= d and at < d + interval '1 day'),
                      (select count(*) from dead_letters where dead_lettered_at >= d and dead_lettered_at < d + interval '1 day')
            from generate_series(date_trunc('day', @now at time zone 'UTC') - interval '13 days', date_trunc('day', @now at time zone 'UTC'), interval '1 day') g,
                 lateral (select g at time zone 'UTC' as d) x
            order by d
            """, new { now });
        Assert.Multiple(() =>
        {
            Assert.That(series.Select(b => (b.At, b.Succeeded, b.Failed, b.DeadLettered)), Is.EqualTo(expected));
            Assert.That(expected.Sum(e => e.Sent), Is.GreaterThan(30), "the window holds sends on most days");
            Assert.That(expected[^1].Sent, Is.GreaterThanOrEqualTo(1), "today holds the send made after the recount");
        });
    }
}
