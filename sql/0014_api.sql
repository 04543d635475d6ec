-- The integrators' API: appointment actions journaled as call webhooks of their own source, message
-- search, Idempotency-Key replies, and one-click email unsubscribe.

-- An appointment cancelled or moved over the API is journaled like a call webhook (source 'api'), so a
-- crash loses nothing and the dashboard's journal and replay see it.
alter table inbound_webhooks drop constraint inbound_webhooks_source_check;
alter table inbound_webhooks add constraint inbound_webhooks_source_check
    check (source in ('followup', 'retell', 'twilio_voice', 'api'));

-- Message search (GET /api/messages?q=, the dashboard's Messages page): q is a substring of the body,
-- the recipient or the customer's name, matched case-insensitively. Trigram GIN indexes serve "ilike
-- '%q%'" from the third character on, so a search stays an index lookup at millions of rows. pg_trgm is
-- a trusted extension (PostgreSQL 13+): the database owner may create it.
create extension if not exists pg_trgm;
create index messages_body_trgm on messages using gin (body gin_trgm_ops);
create index messages_recipient_trgm on messages using gin (recipient gin_trgm_ops);
create index calls_customer_name_trgm on calls using gin (customer_name gin_trgm_ops);
-- The appointment's messages, every status (the pending-only index above serves cancellation).
create index messages_appointment on messages (client_id, appointment_id, id) where appointment_id is not null;

-- Idempotency-Key: the first response to a create, per API key (a SHA-256 of it, never the key), kept
-- 24 hours. status is null while the first request is in flight.
create table idempotency_keys (
    api_key_hash text        not null,
    key          text        not null,
    request_hash text        not null,
    status       integer,
    content_type text,
    location     text,
    body         bytea,
    created_at   timestamptz not null,
    completed_at timestamptz,
    primary key (api_key_hash, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
