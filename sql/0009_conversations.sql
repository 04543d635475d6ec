-- Conversations (#12): customers' replies matched to a client and to the message they answer, the
-- actions they took on an appointment, and the business notifications (outbound webhooks) they raise.

-- Per client: reply keywords (null = the defaults in FollowUp.Jobs/Conversations/ReplyKeywords.cs), the
-- {booking_url} placeholder's value, and the business's own webhook (URL, write-only secret, events;
-- null events = every event).
alter table clients add column reply_keywords jsonb;
alter table clients add column booking_url text;
alter table clients add column notify_url text;
alter table clients add column notify_secret text;
alter table clients add column notify_events text[];
alter table clients add constraint clients_notify_secret check (notify_url is null or notify_secret is not null);

-- An inbound SMS now belongs to one client (null when it cannot be told: several clients share the
-- number and none has written to this phone), answers one message (the latest that went out to that
-- phone), and records what it did. Twilio retries a callback it could not deliver: its MessageSid
-- makes the retry a no-op.
alter table inbound_sms add column client_id  text references clients (id);
alter table inbound_sms add column message_id bigint references messages (id) on delete set null;
alter table inbound_sms add column action     text not null default 'none'
    check (action in ('none', 'confirmed', 'cancelled', 'reschedule_requested', 'nurture_stopped', 'opted_out', 'opted_in', 'help'));
alter table inbound_sms add column read_at    timestamptz;
alter table inbound_sms add column read_by    text;
update inbound_sms set client_id = client_ids[1] where cardinality(client_ids) = 1;
update inbound_sms set read_at = received_at;
update inbound_sms set action = case keyword when 'stop' then 'opted_out' when 'start' then 'opted_in' when 'help' then 'help' else 'none' end;
create unique index inbound_sms_provider_id on inbound_sms (provider, provider_id) where provider_id is not null;
create index inbound_sms_conversation on inbound_sms (client_id, from_number, id desc) where client_id is not null;
create index inbound_sms_latest on inbound_sms (received_at desc, id desc) where client_id is not null;
create index inbound_sms_unread on inbound_sms (client_id) where read_at is null and client_id is not null;
-- A conversation's outbound side: SMS to the phone, and emails planned for the same customer.
create index messages_customer on messages (client_id, customer_phone) where customer_phone is not null;

-- A reply finds its appointment's latest call; a conversation finds its customer's name.
create index calls_appointment on calls (client_id, appointment_id, occurred_at desc) where appointment_id is not null;
create index calls_customer on calls (client_id, customer_phone, occurred_at desc);

-- What the customer answered about an appointment, latest first-hand word only: a new plan for the
-- appointment (booked, rescheduled, cancelled by the business) clears it.
create table appointment_replies (
    client_id      text        not null references clients (id),
    appointment_id text        not null,
    status         text        not null check (status in ('confirmed', 'cancelled_by_customer', 'reschedule_requested')),
    inbound_sms_id bigint      not null references inbound_sms (id),
    at             timestamptz not null,
    primary key (client_id, appointment_id)
);

-- Business notifications: an outbox of signed events for the client's webhook, each delivered by one
-- Hangfire job (fixed retry, dead letters). event_id is the receiver's idempotency key.
create table notifications (
    id              bigint generated always as identity primary key,
    event_id        uuid        not null default gen_random_uuid() unique,
    client_id       text        not null references clients (id),
    type            text        not null,
    data            jsonb       not null,
    created_at      timestamptz not null,
    status          text        not null check (status in ('pending', 'delivered', 'dead_lettered', 'dropped')),
    job_id          bigint,
    attempts        integer     not null default 0,
    last_attempt_at timestamptz,
    last_response   integer,
    last_error      text,
    delivered_at    timestamptz
);
create index notifications_undispatched on notifications (id) where job_id is null and status = 'pending';
create index notifications_client on notifications (client_id, id desc);

alter table dead_letters add column notification_id bigint;
create index dead_letters_notification on dead_letters (notification_id) where notification_id is not null;
