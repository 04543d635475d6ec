-- Clients: the businesses FollowUp sends for. Business hours are a JSON object of weekday keys
-- (mon..sun) to ["HH:mm", "HH:mm"]; closed dates are local dates in the client's zone.
create table clients (
    id                        text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name                      text        not null,
    time_zone                 text        not null,
    business_hours            jsonb       not null,
    closed_dates              date[]      not null default '{}',
    webhook_secret            text        not null,
    email_enabled             boolean     not null default true,
    missed_call_text_back     boolean     not null default false,
    daily_limit_per_recipient integer     not null default 3 check (daily_limit_per_recipient >= 0),
    sms_from                  text,
    email_from                text,
    created_at                timestamptz not null,
    updated_at                timestamptz not null
);
