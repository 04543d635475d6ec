-- #11 provider safety.

-- Delivery callbacks that arrived before the send recorded the provider's id (Twilio can call back
-- within milliseconds of accepting): kept here and applied when the id is stored. Unmatched ones are
-- deleted after a day.
create table parked_deliveries (
    id                  bigint generated always as identity primary key,
    provider            text        not null,
    provider_message_id text        not null,
    status              text        not null,
    error               text,
    segments            integer,
    price               numeric(12, 5),
    currency            text,
    received_at         timestamptz not null
);
create index parked_deliveries_message on parked_deliveries (provider, provider_message_id);
create index parked_deliveries_received on parked_deliveries (received_at);

-- Bounces and complaints name an address, not a client: find the clients that wrote to it by index.
create index messages_recipient_lower on messages (channel, lower(recipient));

-- Call webhooks whose processing failed are retried by the sweep with backoff, until attempts run out.
alter table inbound_webhooks add column next_attempt_at timestamptz;
create index inbound_webhooks_retry on inbound_webhooks (next_attempt_at) where status = 'failed' and next_attempt_at is not null;
