-- The operations dashboard: its users, the audit log of what they did, a snapshot of counts per job
-- state and message status (so pages never count big tables), paused recurring jobs, and the
-- indexes its lists and filters use.

create table dashboard_users (
    name            text        primary key check (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
    password_hash   text        not null,
    role            text        not null check (role in ('viewer', 'operator', 'admin')),
    disabled        boolean     not null default false,
    failed_attempts integer     not null default 0,
    locked_until    timestamptz,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);

-- Every operator and admin action: who, what, on what, the state before and after.
create table audit_log (
    id     bigint generated always as identity primary key,
    actor  text        not null,
    action text        not null,
    target text        not null,
    before jsonb,
    after  jsonb,
    at     timestamptz not null
);

-- Counts per job state and per message status, recomputed by StateCountJob (Quartz, once across the
-- cluster) so that no page load counts a table of millions.
create table state_counts (
    subject    text        not null check (subject in ('job', 'message')),
    state      text        not null,
    count      bigint      not null,
    counted_at timestamptz not null,
    primary key (subject, state)
);

-- Daily rollups kept by the same job, for the overview's spend, per-provider sends and 14-day chart:
-- recomputed for yesterday and today (UTC) each time, so older days are read, never recounted.
create table message_days (
    day      date           not null,
    provider text           not null,
    currency text           not null,
    sent     bigint         not null,
    cost     numeric(16, 5) not null,
    primary key (day, provider, currency)
);
create table job_days (
    day   date   not null,
    state text   not null,
    count bigint not null,
    primary key (day, state)
);

-- A paused recurring job keeps its definition but has no trigger until resumed.
alter table recurring_jobs add column paused boolean not null default false;

-- Jobs list: a message's job, and searches by recipient.
create index messages_job on messages (job_id) where job_id is not null;
create index messages_recipient on messages (recipient, id desc);
-- Messages tabs: newest first within a status.
create index messages_status_id on messages (status, id desc);
-- Spend today / this month.
create index messages_sent_at on messages (sent_at) where sent_at is not null;
-- Provider health: recent failovers.
create index message_events_failover on message_events (at desc) where event = 'failover';
-- Dead letters, newest first by id (DeadLetters.ListOpenAsync's order).
create index dead_letters_open_id on dead_letters (id desc) where resolution is null;
-- Alerts: dead letters in a window.
create index dead_letters_at on dead_letters (dead_lettered_at);

-- When operations contacts were last alerted: one row, claimed in one statement, so that several
-- nodes watching the same numbers send one alert between them.
create table dashboard_alerts (
    id           integer     primary key check (id = 1),
    last_sent_at timestamptz not null
);
insert into dashboard_alerts (id, last_sent_at) values (1, '-infinity');
