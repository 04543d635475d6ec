-- The job engine: the queue and the record in one table, its history, dead letters, nodes,
-- recurring definitions and per-minute counters. Quartz's own qrtz_ tables are created by Quartz
-- (ProvisionSchema) and never touched here.

create table jobs (
    id               bigint generated always as identity primary key,
    type             text        not null,
    args             jsonb       not null,
    state            text        not null check (state in
                     ('Scheduled', 'Enqueued', 'Processing', 'Succeeded', 'Failed', 'DeadLettered', 'Cancelled')),
    attempt          integer     not null default 0,
    run_at           timestamptz not null,
    created_at       timestamptz not null,
    state_changed_at timestamptz not null,
    node             text,
    lease_until      timestamptz,
    recurring_id     text,
    last_error       text
);

-- The queue: waiting jobs in due order. Partial, so millions of finished jobs cost it nothing.
create index jobs_waiting_due on jobs (run_at, id) where state in ('Scheduled', 'Enqueued', 'Failed');
-- Rescue of jobs whose node stopped extending the lease.
create index jobs_processing_lease on jobs (lease_until) where state = 'Processing';
-- Retention and lists by state.
create index jobs_state_changed on jobs (state, state_changed_at, id);

create table job_history (
    id                bigint generated always as identity primary key,
    job_id            bigint      not null references jobs (id) on delete cascade,
    state             text        not null,
    from_state        text,
    at                timestamptz not null,
    node              text,
    attempt           integer     not null,
    reason            text,
    exception_type    text,
    exception_message text,
    exception_stack   text
);
create index job_history_job on job_history (job_id, id);
create index job_history_at on job_history (at);

create table dead_letters (
    id                bigint generated always as identity primary key,
    job_id            bigint      not null references jobs (id) on delete cascade,
    job_type          text        not null,
    args              jsonb       not null,
    attempts          integer     not null,
    reason            text,
    exception_type    text,
    exception_message text,
    exception_stack   text,
    dead_lettered_at  timestamptz not null,
    resolution        text check (resolution in ('Requeued', 'Discarded')),
    resolved_at       timestamptz,
    resolved_by       text
);
create index dead_letters_open on dead_letters (dead_lettered_at desc, id desc) where resolution is null;
create index dead_letters_job on dead_letters (job_id);

create table engine_nodes (
    id           text primary key,
    host         text        not null,
    pid          integer     not null,
    started_at   timestamptz not null,
    heartbeat_at timestamptz not null,
    in_flight    integer     not null default 0,
    stopped_at   timestamptz
);

create table recurring_jobs (
    id               text primary key,
    job_type         text        not null,
    args             jsonb       not null,
    cron             text        not null,
    time_zone        text        not null,
    version          bigint      not null default 1,
    updated_at       timestamptz not null,
    last_enqueued_at timestamptz,
    last_job_id      bigint
);

create table job_counters (
    minute   timestamptz not null,
    job_type text        not null,
    state    text        not null,
    count    bigint      not null,
    primary key (minute, job_type, state)
);
