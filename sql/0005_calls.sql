-- Call intake: follow-up settings per client, the journal of call webhooks, the calls, and what the
-- planner needs on a message to cancel it later (its appointment, its customer).

-- kind -> { "enabled": bool, "email": bool, "sms": "...", "email_subject": "...", "email_body": "..." };
-- an absent kind uses the built-in template (FollowUp.Jobs/Calls/DefaultTemplates.cs).
alter table clients add column follow_ups jsonb not null default '{}';

-- Every authenticated call webhook, raw, written before it is processed: a crash or a failed
-- processing loses nothing and can be replayed. (client_id, event_id) makes a retry idempotent.
create table inbound_webhooks (
    id           bigint generated always as identity primary key,
    source       text        not null check (source in ('followup', 'retell', 'twilio_voice')),
    client_id    text        not null references clients (id),
    event_id     text        not null,
    call_id      text,
    outcome      text,
    raw_body     text        not null,
    status       text        not null check (status in ('received', 'processed', 'failed')),
    attempts     integer     not null default 0,
    error        text,
    response     jsonb,
    received_at  timestamptz not null,
    processed_at timestamptz,
    unique (client_id, event_id)
);
create index inbound_webhooks_received on inbound_webhooks (received_at desc, id desc);
create index inbound_webhooks_unprocessed on inbound_webhooks (received_at, id) where status <> 'processed';

-- One row per call; a later event for the same call (client, call_id) updates it.
create table calls (
    client_id             text        not null references clients (id),
    call_id               text        not null,
    outcome               text        not null,
    occurred_at           timestamptz not null,
    customer_name         text,
    customer_phone        text        not null,
    customer_email        text,
    appointment_id        text,
    appointment_starts_at timestamptz,
    appointment_service   text,
    webhook_id            bigint      not null references inbound_webhooks (id),
    created_at            timestamptz not null,
    updated_at            timestamptz not null,
    primary key (client_id, call_id)
);
create index calls_call_id on calls (call_id);
create index calls_occurred on calls (occurred_at desc);

alter table messages add column appointment_id text;
alter table messages add column customer_phone text;
-- Cancel an appointment's pending reminders; cancel a customer's pending nurture when they book.
create index messages_pending_appointment on messages (client_id, appointment_id) where status in ('scheduled', 'dead_lettered') and appointment_id is not null;
create index messages_pending_customer on messages (client_id, customer_phone) where status in ('scheduled', 'dead_lettered') and customer_phone is not null;
