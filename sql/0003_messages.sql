-- Messages: one SMS or email to one recipient, each sent by one job. Status words: FollowUp.Jobs/Messages/MessageStatus.cs.
create table messages (
    id                  bigint generated always as identity primary key,
    client_id           text        not null references clients (id),
    call_id             text,
    kind                text        not null,
    channel             text        not null check (channel in ('sms', 'email')),
    marketing           boolean     not null,
    recipient           text        not null,
    subject             text,
    body                text        not null,
    scheduled_for       timestamptz not null,
    status              text        not null check (status in ('scheduled', 'sending', 'sent', 'delivered',
                            'undelivered', 'failed', 'cancelled', 'skipped', 'dead_lettered')),
    skip_reason         text,
    provider            text,
    provider_message_id text,
    email_message_id    text,
    segments            integer,
    cost                numeric(12, 5),
    currency            text,
    error               text,
    job_id              bigint,
    attempted_at        timestamptz,
    sent_at             timestamptz,
    delivered_at        timestamptz,
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);
create index messages_client_created on messages (client_id, created_at desc, id desc);
create index messages_call on messages (call_id) where call_id is not null;
create index messages_status on messages (status, scheduled_for);
create unique index messages_provider_message on messages (provider, provider_message_id) where provider_message_id is not null;
-- Per-recipient daily limit of marketing messages.
create index messages_marketing_recipient on messages (client_id, recipient, attempted_at) where marketing;

-- What happened to a message besides its status: possible double sends, provider callbacks, skips.
create table message_events (
    id         bigint generated always as identity primary key,
    message_id bigint      not null references messages (id) on delete cascade,
    at         timestamptz not null,
    event      text        not null,
    detail     text
);
create index message_events_message on message_events (message_id, id);

-- Opted-out recipients per client and channel (STOP, bounces, spam reports). Lifted rows stay, with when.
create table suppressions (
    client_id  text        not null references clients (id),
    channel    text        not null check (channel in ('sms', 'email')),
    address    text        not null,
    reason     text        not null,
    created_at timestamptz not null,
    lifted_at  timestamptz,
    primary key (client_id, channel, address)
);
