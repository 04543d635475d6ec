-- AI-written follow-ups. What the call said, stored with it (the caller's words: shown encoded, given to the
-- model as quoted data only).
alter table calls add column summary text;
alter table calls add column intent text;
alter table calls add column notes text;

-- A client's ai_copy settings (API spelling); null: off.
alter table clients add column ai_copy jsonb;

-- Per message: who wrote the body that goes out, the template text it replaced, the model's call (model,
-- tokens, cost in USD, recorded whether or not its text was used) and why the template was kept.
alter table messages add column written_by text not null default 'template' check (written_by in ('template', 'ai'));
alter table messages add column template_body text;
alter table messages add column ai_model text;
alter table messages add column ai_input_tokens integer;
alter table messages add column ai_output_tokens integer;
alter table messages add column ai_cost numeric(12, 6);
alter table messages add column ai_kept_reason text;
alter table messages add column ai_at timestamptz;
-- An operator asked for a new text: the next personalise job of its call asks the model again (its cost adds up).
alter table messages add column ai_again boolean not null default false;
-- The monthly spend cap sums ai_cost by ai_at.
create index messages_ai_at on messages (ai_at) where ai_at is not null;

-- The personalise job's outbox: one row per call whose messages may be rewritten, committed with the plan;
-- the outbox loop gives it its Hangfire job (job_id) after the commit, as it does for messages.
create table copy_requests (
    id         bigint generated always as identity primary key,
    client_id  text        not null references clients (id),
    call_id    text        not null,
    created_at timestamptz not null,
    job_id     bigint,
    done_at    timestamptz
);
create index copy_requests_undispatched on copy_requests (id) where job_id is null;
