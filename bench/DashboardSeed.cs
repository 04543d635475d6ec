namespace FollowUp.Bench;

/// <summary>
/// The dashboard benchmark's data, made in PostgreSQL with generate_series (no round trip per row):
/// 1,000,000 jobs with 2,000,000 history rows and 1,000,000 messages (one per job), spread over 14
/// days, in the proportions a busy install has — mostly finished, some failed, dead-lettered,
/// scheduled and cancelled — plus dead letters, failover events, 14 days of per-minute counters, a
/// webhook journal, audit entries, nodes and recurring definitions.
/// </summary>
internal static class DashboardSeed
{
    public const int Jobs = 1_000_000;

    // i % 100: 1 Failed, 2 DeadLettered, 3-7 Scheduled (the next 7 days), 8 Cancelled, else Succeeded.
    public static readonly string[] Statements =
    [
        """
        insert into clients (id, name, time_zone, business_hours, webhook_secret, created_at, updated_at)
        select 'client-' || i, 'Client ' || i, 'America/New_York', '{"mon": ["09:00", "17:00"]}', 'whsec_0123456789abcdef', now(), now()
        from generate_series(1, 50) i
        """,
        """
        insert into jobs (id, type, args, state, attempt, run_at, created_at, state_changed_at, last_error)
        overriding system value
        select i, case when i % 2 = 0 then 'send-sms' else 'send-email' end, jsonb_build_object('messageId', i), s.state,
               case when s.state in ('Failed', 'DeadLettered') then 2 when s.state = 'Succeeded' then 1 else 0 end,
               case when s.state = 'Scheduled' then now() + (i % 10080) * interval '1 minute' else t.created end,
               t.created, t.created + interval '1 second',
               case when s.state in ('Failed', 'DeadLettered') then 'twilio refused (503)' end
        from generate_series(1, 1000000) i
        cross join lateral (select now() - (1000000 - i) * interval '1.2 seconds' as created) t
        cross join lateral (select case when i % 100 = 1 then 'Failed' when i % 100 = 2 then 'DeadLettered'
                                        when i % 100 between 3 and 7 then 'Scheduled' when i % 100 = 8 then 'Cancelled'
                                        else 'Succeeded' end as state) s
        """,
        "select setval(pg_get_serial_sequence('jobs', 'id'), 1000000)",
        """
        insert into job_history (job_id, state, from_state, at, node, attempt, reason)
        select id, case when state = 'Scheduled' then 'Scheduled' else 'Enqueued' end, null, created_at, 'bench:1', 0, 'Created'
        from jobs
        """,
        """
        insert into job_history (job_id, state, from_state, at, node, attempt, reason, exception_type, exception_message, exception_stack)
        select id, state, 'Processing', state_changed_at, 'bench:1', attempt, null,
               case when state in ('Failed', 'DeadLettered') then 'FollowUp.Jobs.Channels.ProviderSendException' end,
               last_error, case when state in ('Failed', 'DeadLettered') then repeat('   at Some.Frame()' || chr(10), 20) end
        from jobs where state <> 'Scheduled'
        """,
        """
        insert into messages (id, client_id, call_id, kind, channel, marketing, recipient, subject, body, scheduled_for, status,
                              skip_reason, provider, provider_message_id, segments, cost, currency, error, job_id, sent_at,
                              created_at, updated_at)
        overriding system value
        select j.id, 'client-' || (j.id % 50 + 1), 'call_' || (j.id / 3),
               (array['confirmation', 'reminder_24h', 'reminder_1h', 'nurture_day1', 'adhoc'])[j.id % 5 + 1],
               case when j.id % 2 = 0 then 'sms' else 'email' end, j.id % 5 = 3,
               case when j.id % 2 = 0 then '+1555' || lpad((j.id % 200000)::text, 7, '0') else 'user' || (j.id % 200000) || '@example.com' end,
               case when j.id % 2 = 1 then 'Your appointment' end,
               'Hi, this is a reminder of your appointment tomorrow at 10:00. Reply STOP to opt out. #' || j.id,
               j.run_at, m.status, case when m.status = 'skipped' then 'opted out' end,
               case when m.status in ('sent', 'delivered') then case when j.id % 2 = 0 then 'twilio' else 'smtp' end end,
               case when m.status in ('sent', 'delivered') then md5(j.id::text) end,
               case when m.status in ('sent', 'delivered') then 1 end,
               case when m.status in ('sent', 'delivered') then 0.0083 end,
               case when m.status in ('sent', 'delivered') then 'USD' end,
               j.last_error, j.id, case when m.status in ('sent', 'delivered') then j.state_changed_at end,
               j.created_at, j.state_changed_at
        from jobs j
        cross join lateral (select case j.state when 'Failed' then 'scheduled' when 'DeadLettered' then 'dead_lettered'
                                                when 'Scheduled' then 'scheduled' when 'Cancelled' then 'cancelled'
                                                else case when j.id % 10 = 0 then 'skipped' when j.id % 3 = 0 then 'delivered' else 'sent' end
                                       end as status) m
        """,
        "select setval(pg_get_serial_sequence('messages', 'id'), 1000000)",
        """
        insert into dead_letters (job_id, job_type, args, attempts, reason, exception_type, exception_message, exception_stack, dead_lettered_at)
        select id, type, args, attempt, 'Attempts exhausted', 'FollowUp.Jobs.Channels.ProviderSendException', last_error, 'at Some.Frame()', state_changed_at
        from jobs where state = 'DeadLettered'
        """,
        """
        insert into message_events (message_id, at, event, detail)
        select i * 97, now() - (i % 1440) * interval '1 minute', 'failover', 'twilio: twilio refused (503)'
        from generate_series(1, 5000) i
        """,
        """
        insert into job_counters (minute, job_type, state, count)
        select m, t, s, (extract(epoch from m)::bigint % 7) + case s when 'Succeeded' then 40 else 1 end
        from generate_series(date_trunc('minute', now()) - interval '14 days', date_trunc('minute', now()), interval '1 minute') m
        cross join (values ('send-sms'), ('send-email')) types(t)
        cross join (values ('Succeeded'), ('Failed'), ('DeadLettered')) states(s)
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
        select 'admin', 'job.requeue', 'job ' || i, '{"state": "Failed"}', '{"state": "Enqueued"}', now() - (10000 - i) * interval '1 minute'
        from generate_series(1, 10000) i
        """,
        """
        insert into engine_nodes (id, host, pid, started_at, heartbeat_at, in_flight)
        select 'bench:' || i, 'bench-host-' || i, 1000 + i, now() - interval '1 hour', now(), 0 from generate_series(1, 3) i
        """,
        """
        insert into recurring_jobs (id, job_type, args, cron, time_zone, updated_at)
        select 'recurring-' || i, 'send-sms', '{"messageId": 1}', '0 0 ' || i || ' * * ?', 'America/New_York', now() from generate_series(1, 5) i
        """,
        "vacuum analyze",
    ];
}
