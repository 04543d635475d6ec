namespace FollowUp.Bench;

/// <summary>
/// The dashboard benchmark's data in FollowUp's own tables, made in PostgreSQL with generate_series (no
/// round trip per row): 1,000,000 messages spread over 14 days in the proportions a busy install has —
/// mostly sent or delivered, some scheduled (a few of those due now and waiting in a queue, a few waiting
/// for a retry after a failed attempt), dead-lettered, skipped and cancelled — with their dead letters,
/// failover and failed-attempt events, a webhook journal and audit entries. Each message's Hangfire job
/// is made from the message by <see cref="HangfireSeed"/>.
/// </summary>
internal static class DashboardSeed
{
    public const int Messages = 1_000_000;

    // i % 100: 1-2 dead_lettered, 3-7 scheduled, 8 cancelled (a reminder planned a day later), 9 skipped, else sent /
    // delivered. Scheduled ones are due in the next 7 days, except among the newest 10,000 messages (the last
    // 3.3 hours): there i % 100 = 3 failed its first attempt (the error recorded, waiting for a retry) and
    // 4-7 are due and waiting in a queue.
    public static readonly string[] Statements =
    [
        """
        insert into clients (id, name, time_zone, business_hours, webhook_secret, created_at, updated_at)
        select 'client-' || i, 'Client ' || i, 'America/New_York', '{"mon": ["09:00", "17:00"]}', 'whsec_0123456789abcdef', now(), now()
        from generate_series(1, 50) i
        """,
        """
        insert into messages (id, client_id, call_id, kind, channel, marketing, recipient, subject, body, scheduled_for, status,
                              skip_reason, provider, provider_message_id, segments, cost, currency, error, job_id, sent_at,
                              created_at, updated_at)
        overriding system value
        select i, 'client-' || (i % 50 + 1), 'call_' || (i / 3),
               (array['confirmation', 'reminder_24h', 'reminder_1h', 'nurture_day1', 'adhoc'])[i % 5 + 1],
               case when i % 2 = 0 then 'sms' else 'email' end, i % 5 = 3,
               case when i % 2 = 0 then '+1212' || (2000000 + i % 200000)::text else 'user' || (i % 200000) || '@example.com' end,
               case when i % 2 = 1 then 'Your appointment' end,
               'Hi, this is a reminder of your appointment tomorrow at 10:00. Reply STOP to opt out. #' || i,
               case when m.status = 'scheduled' and i <= 990000 then now() + (i % 10080) * interval '1 minute'
                    when m.status = 'cancelled' then t.created + interval '1 day' else t.created end,
               m.status, case when m.status = 'skipped' then 'opted out' end,
               case when m.status in ('sent', 'delivered') then case when i % 2 = 0 then 'twilio' else 'smtp' end end,
               case when m.status in ('sent', 'delivered') then md5(i::text) end,
               case when m.status in ('sent', 'delivered') then 1 end,
               case when m.status in ('sent', 'delivered') then 0.0083 end,
               case when m.status in ('sent', 'delivered') then 'USD' end,
               case when m.status = 'dead_lettered' or (m.status = 'scheduled' and i > 990000 and i % 100 = 3)
                    then 'twilio: twilio refused (503)' end,
               i, case when m.status in ('sent', 'delivered') then t.created + interval '1 second' end,
               t.created, t.created + interval '1 second'
        from generate_series(1, 1000000) i
        cross join lateral (select now() - (1000000 - i) * interval '1.2 seconds' as created) t
        cross join lateral (select case when i % 100 between 1 and 2 then 'dead_lettered' when i % 100 between 3 and 7 then 'scheduled'
                                        when i % 100 = 8 then 'cancelled' when i % 100 = 9 then 'skipped'
                                        when i % 3 = 0 then 'delivered' else 'sent' end as status) m
        """,
        "select setval(pg_get_serial_sequence('messages', 'id'), 1000000)",
        """
        insert into dead_letters (job_id, job_type, job_method, args, message_id, attempts, reason, exception_type, exception_message,
                                  exception_stack, dead_lettered_at)
        select id, 'FollowUp.Jobs.Messages.SendMessageJob', 'SendAsync', jsonb_build_object('messageId', id), id, 3,
               'Attempts exhausted (3 of 3): ProviderSendException: twilio refused (503)', 'FollowUp.Jobs.Channels.ProviderSendException',
               error, 'at Some.Frame()', updated_at
        from messages where status = 'dead_lettered'
        """,
        """
        insert into message_events (message_id, at, event, provider, detail)
        select i * 97, now() - (i % 1440) * interval '1 minute', 'failover', 'twilio', 'twilio: twilio refused (503)'
        from generate_series(1, 5000) i
        """,
        """
        insert into message_events (message_id, at, event, detail)
        select i * 31, now() - (i % 20160) * interval '1 minute', 'attempt_failed', 'attempt 1: twilio: twilio refused (503)'
        from generate_series(1, 20000) i
        """,
        // As the transition statement counts them (messages.failed_attempts): what the analytics' retry success reads.
        """
        update messages m set failed_attempts = 1 + (m.status = 'dead_lettered')::int
        where m.status = 'dead_lettered' or m.id in (select message_id from message_events where event = 'attempt_failed')
        """,
        """
        insert into inbound_webhooks (source, client_id, event_id, call_id, outcome, raw_body, status, attempts, error, received_at, processed_at)
        select 'followup', 'client-' || (i % 50 + 1), 'evt_' || i, 'call_' || i, 'booked',
               '{"event_id": "evt_' || i || '", "event": "call_ended", "outcome": "booked"}',
               case when i % 200 = 0 then 'failed' else 'processed' end, 1,
               case when i % 200 = 0 then 'planner failed' end,
               now() - (200000 - i) * interval '6 seconds', now() - (200000 - i) * interval '6 seconds'
        from generate_series(1, 200000) i
        """,
        """
        insert into audit_log (actor, action, target, before, after, at)
        select 'admin', 'dead_letter.requeue', 'dead letter ' || i, '{"state": "Failed"}', '{"state": "Enqueued"}', now() - (10000 - i) * interval '1 minute'
        from generate_series(1, 10000) i
        """,
        "vacuum analyze",
    ];
}
