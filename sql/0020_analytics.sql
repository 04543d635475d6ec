-- Analytics: per-day rollups of messages, so the analytics page reads a few thousand rows for any period
-- instead of scanning messages.
--
-- A message counts once, under its day (UTC date it was sent, or for one not sent, the day it is or was last
-- due), client, kind, channel, provider and currency, in its current status. The rollup always equals that
-- grouping of messages as they are now: every change to a message subtracts what it counted before and adds
-- what it counts after.
--
-- Why a trigger and not the transition statement alone: a status changes in one statement
-- (MessageStore.TransitionAsync), but what a message counts under also moves elsewhere — planning inserts it,
-- an edit or reschedule moves its due day, a price callback its cost, retention deletes it. Statement-level
-- triggers over the transition tables see every one of those, in the same transaction as the change, once
-- per statement (a planning insert of a plan, a bulk cancel) however many rows it touched.
--
-- Why an append-only change table: the triggers only insert (no upsert of a shared rollup row), so two sends
-- of the same client and day never wait on each other's row lock or deadlock; a recurring job folds the
-- changes into the rollups (AnalyticsFoldJob), and a read adds the few changes not folded yet.

-- Attempts that failed (a retry followed, or the job gave up): retry success is "sent after one of these".
alter table messages add column failed_attempts integer not null default 0;
update messages m set failed_attempts = e.failed
from (select message_id, count(*) as failed from message_events where event in ('attempt_failed', 'dead_lettered') group by message_id) e
where m.id = e.message_id;

-- Send lateness in fixed buckets (seconds; bucket b is [bounds[b], bounds[b+1]), the last one open):
-- AnalyticsQueries.LatenessBounds holds the same list.
create function message_lateness_bucket(sent_at timestamptz, due timestamptz) returns smallint
language sql immutable parallel safe as $$
    select (width_bucket(greatest(0, extract(epoch from sent_at - due))::double precision,
                         array[0, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400]::double precision[]) - 1)::smallint
$$;

create table message_daily (
    day          date           not null,
    client_id    text           not null,
    kind         text           not null,
    channel      text           not null,
    provider     text           not null,   -- '' until sent
    currency     text           not null,   -- '' until sent
    status       text           not null,
    messages     bigint         not null,   -- in this status
    went_out     bigint         not null,   -- of them, accepted by a provider (sent_at set)
    retried      bigint         not null,   -- of them, with at least one failed attempt
    retried_sent bigint         not null,   -- of those, accepted by a provider afterwards
    segments     bigint         not null,   -- of those that went out
    cost         numeric(18, 5) not null,   -- of those that went out
    primary key (day, client_id, kind, channel, provider, currency, status)
);

-- Undelivered and failed messages by their error (a provider's code, such as "Twilio error 30003").
create table message_daily_errors (
    day       date   not null,
    client_id text   not null,
    kind      text   not null,
    channel   text   not null,
    provider  text   not null,
    status    text   not null,
    error     text   not null,
    messages  bigint not null,
    primary key (day, client_id, kind, channel, provider, status, error)
);

-- Messages that went out, by lateness bucket (from when they were last due to the provider's acceptance).
create table message_daily_lateness (
    day       date     not null,
    client_id text     not null,
    kind      text     not null,
    channel   text     not null,
    provider  text     not null,
    bucket    smallint not null,
    messages  bigint   not null,
    primary key (day, client_id, kind, channel, provider, bucket)
);

-- Signed changes not folded yet: one row per key a statement moved (error and bucket carried for the two
-- tables above). No key, no index: written by triggers, read and emptied by the fold.
create table message_daily_changes (
    day          date           not null,
    client_id    text           not null,
    kind         text           not null,
    channel      text           not null,
    provider     text           not null,
    currency     text           not null,
    status       text           not null,
    error        text,
    bucket       smallint,
    messages     bigint         not null,
    went_out     bigint         not null,
    retried      bigint         not null,
    retried_sent bigint         not null,
    segments     bigint         not null,
    cost         numeric(18, 5) not null
);

-- What one message counts under, and for: its key, its error (undelivered and failed ones) and lateness
-- bucket (those that went out), and the counts.
create function message_daily_counts(m_sent_at timestamptz, m_scheduled_for timestamptz, m_client_id text, m_kind text,
    m_channel text, m_provider text, m_currency text, m_status text, m_error text, m_failed_attempts integer, m_segments integer,
    m_cost numeric) returns table (
    day date, client_id text, kind text, channel text, provider text, currency text, status text, error text, bucket smallint,
    went_out bigint, retried bigint, retried_sent bigint, segments bigint, cost numeric
) language sql stable parallel safe as $$
    select (coalesce(m_sent_at, m_scheduled_for) at time zone 'UTC')::date, m_client_id, m_kind, m_channel,
           coalesce(m_provider, ''), coalesce(m_currency, ''), m_status,
           case when m_status in ('undelivered', 'failed') then coalesce(left(m_error, 120), '') end,
           case when m_sent_at is not null then message_lateness_bucket(m_sent_at, m_scheduled_for) end,
           (m_sent_at is not null)::int, (m_failed_attempts > 0)::int, (m_failed_attempts > 0 and m_sent_at is not null)::int,
           case when m_sent_at is not null then coalesce(m_segments, 0) else 0 end,
           case when m_sent_at is not null then coalesce(m_cost, 0) else 0 end
$$;

-- A statement's rows before (-1) and after (+1), grouped by what they count under; keys whose counts cancel
-- (a change that moved nothing counted: updated_at, job_id, attempted_at) write nothing.
create function message_daily_record() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into message_daily_changes
        select c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket,
               sum(s.sign), sum(s.sign * c.went_out), sum(s.sign * c.retried), sum(s.sign * c.retried_sent),
               sum(s.sign * c.segments), sum(s.sign * c.cost)
        from (select sent_at, scheduled_for, client_id, kind, channel, provider, currency, status, error, failed_attempts, segments, cost, 1 as sign from new_rows) s 
        cross join lateral message_daily_counts(s.sent_at, s.scheduled_for, s.client_id, s.kind, s.channel, s.provider, s.currency, s.status, s.error, s.failed_attempts, s.segments, s.cost) c
        group by c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket
        having sum(s.sign) <> 0 or sum(s.sign * c.went_out) <> 0 or sum(s.sign * c.retried) <> 0
            or sum(s.sign * c.retried_sent) <> 0 or sum(s.sign * c.segments) <> 0 or sum(s.sign * c.cost) <> 0;
    elsif tg_op = 'DELETE' then
        insert into message_daily_changes
        select c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket,
               sum(s.sign), sum(s.sign * c.went_out), sum(s.sign * c.retried), sum(s.sign * c.retried_sent),
               sum(s.sign * c.segments), sum(s.sign * c.cost)
        from (select sent_at, scheduled_for, client_id, kind, channel, provider, currency, status, error, failed_attempts, segments, cost, -1 as sign from old_rows) s 
        cross join lateral message_daily_counts(s.sent_at, s.scheduled_for, s.client_id, s.kind, s.channel, s.provider, s.currency, s.status, s.error, s.failed_attempts, s.segments, s.cost) c
        group by c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket
        having sum(s.sign) <> 0 or sum(s.sign * c.went_out) <> 0 or sum(s.sign * c.retried) <> 0
            or sum(s.sign * c.retried_sent) <> 0 or sum(s.sign * c.segments) <> 0 or sum(s.sign * c.cost) <> 0;
    else
        insert into message_daily_changes
        select c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket,
               sum(s.sign), sum(s.sign * c.went_out), sum(s.sign * c.retried), sum(s.sign * c.retried_sent),
               sum(s.sign * c.segments), sum(s.sign * c.cost)
        from (select sent_at, scheduled_for, client_id, kind, channel, provider, currency, status, error, failed_attempts, segments, cost, -1 as sign from old_rows
              union all select sent_at, scheduled_for, client_id, kind, channel, provider, currency, status, error, failed_attempts, segments, cost, 1 from new_rows) s 
        cross join lateral message_daily_counts(s.sent_at, s.scheduled_for, s.client_id, s.kind, s.channel, s.provider, s.currency, s.status, s.error, s.failed_attempts, s.segments, s.cost) c
        group by c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket
        having sum(s.sign) <> 0 or sum(s.sign * c.went_out) <> 0 or sum(s.sign * c.retried) <> 0
            or sum(s.sign * c.retried_sent) <> 0 or sum(s.sign * c.segments) <> 0 or sum(s.sign * c.cost) <> 0;
    end if;
    return null;
end
$$;

create trigger message_daily_insert after insert on messages referencing new table as new_rows
    for each statement execute function message_daily_record();
create trigger message_daily_update after update on messages referencing old table as old_rows new table as new_rows
    for each statement execute function message_daily_record();
create trigger message_daily_delete after delete on messages referencing old table as old_rows
    for each statement execute function message_daily_record();

-- The messages already there, as changes the first fold takes in.
insert into message_daily_changes
select c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket,
       count(*), sum(c.went_out), sum(c.retried), sum(c.retried_sent), sum(c.segments), sum(c.cost)
from messages s cross join lateral message_daily_counts(s.sent_at, s.scheduled_for, s.client_id, s.kind, s.channel, s.provider, s.currency, s.status, s.error, s.failed_attempts, s.segments, s.cost) c
group by c.day, c.client_id, c.kind, c.channel, c.provider, c.currency, c.status, c.error, c.bucket;
