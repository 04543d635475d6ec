-- Hangfire is the job engine. Its own tables live in schema "hangfire", installed and upgraded by
-- Hangfire.PostgreSql (under the migration lock, see MigrationRunner); this script retires what the
-- old engine and Quartz.NET kept in public, and reshapes the tables FollowUp still owns.

-- Messages waiting on a retired job are handed to Hangfire: the dispatcher creates a job for every
-- scheduled message whose job_id is null. One that was mid-send may have gone out ("possibly sent").
insert into message_events (message_id, at, event, detail)
select id, now(), 'possibly_sent', 'In flight when the job engine moved to Hangfire; sent again.'
from messages where status = 'sending';
update messages set job_id = null, status = 'scheduled' where status in ('scheduled', 'sending');
update messages set job_id = null where status = 'dead_lettered';

-- Dead letters now name Hangfire jobs (no foreign key: Hangfire owns them), the method and the
-- message they send, if any. At most one open dead letter per job.
alter table dead_letters drop constraint if exists dead_letters_job_id_fkey;
alter table dead_letters add column job_method text;
alter table dead_letters add column message_id bigint;
alter table dead_letters add column requeues integer not null default 0;
update dead_letters d set message_id = coalesce(d.args ->> 'MessageId', d.args ->> 'messageId', d.args ->> 'message_id')::bigint
where jsonb_typeof(d.args) = 'object' and coalesce(d.args ->> 'MessageId', d.args ->> 'messageId', d.args ->> 'message_id') ~ '^[0-9]+$';
create unique index dead_letters_open_job on dead_letters (job_id) where resolution is null;
create index dead_letters_message on dead_letters (message_id) where message_id is not null;

drop table if exists job_counters, job_days, recurring_jobs, engine_nodes, job_history cascade;
drop table if exists jobs cascade;
do $$
declare t text;
begin
    for t in select tablename from pg_tables where schemaname = 'public' and tablename like 'qrtz\_%' loop
        execute format('drop table if exists public.%I cascade', t);
    end loop;
end $$;

delete from state_counts where subject = 'job';

-- The dispatcher's work: scheduled messages without a job yet (normally none for more than a moment).
create index messages_undispatched on messages (id) where job_id is null and status = 'scheduled';
-- The reconciler's work: scheduled messages past due.
create index messages_scheduled_due on messages (scheduled_for, id) where status = 'scheduled';

-- What the reconciler did, for the overview and the metric.
create table reconciler_runs (
    id          bigint generated always as identity primary key,
    at          timestamptz not null,
    checked     integer     not null,
    revived     integer     not null,
    unrevivable integer     not null,
    detail      text
);
create index reconciler_runs_at on reconciler_runs (at desc);

-- Retention of the call-webhook journal: raw bodies past their age are blanked (row and outcome stay).
alter table inbound_webhooks add column body_removed_at timestamptz;
create index inbound_webhooks_body_kept on inbound_webhooks (received_at) where body_removed_at is null and status = 'processed';

-- The overview's chart of failed attempts.
create index message_events_attempt_failed on message_events (at) where event = 'attempt_failed';
