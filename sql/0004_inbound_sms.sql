-- Every inbound SMS (STOP, START, HELP or anything else), as received from the provider.
create table inbound_sms (
    id          bigint generated always as identity primary key,
    provider    text        not null,
    provider_id text,
    from_number text        not null,
    to_number   text        not null,
    body        text        not null,
    keyword     text        not null check (keyword in ('stop', 'start', 'help', 'none')),
    client_ids  text[]      not null default '{}',
    received_at timestamptz not null
);
create index inbound_sms_from on inbound_sms (from_number, received_at desc);
