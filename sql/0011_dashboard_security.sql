-- Security review (#17): sessions that can be ended, sign-in throttles per account and address, audit
-- retention, and the Data Protection key ring shared by every node.

-- A session carries the stamp it was issued with; every request compares it with this column, so
-- changing it (sign-out, password change, disable, role change) ends every session of that user on
-- every node at once.
alter table dashboard_users add column security_stamp uuid not null default gen_random_uuid();

-- Failed sign-ins per (user name, client address): an address that guesses wrong is slowed for that
-- name, without locking the owner out from their own address. Names need not exist (an unknown name is
-- throttled exactly like a known one, so the answer never tells which names exist). The old per-account
-- counters on dashboard_users are no longer used.
create table dashboard_sign_in_throttles (
    name           text        not null,
    address        text        not null,
    failures       integer     not null,
    blocked_until  timestamptz,
    last_failed_at timestamptz not null,
    primary key (name, address)
);

-- Audit retention deletes by age.
create index audit_log_at on audit_log (at);

-- ASP.NET Core Data Protection's key ring (one XML element per key), read by every node, so a secret
-- encrypted on one node is decrypted on another and a session cookie issued by one is valid on all.
create table data_protection_keys (
    id            bigint generated always as identity primary key,
    friendly_name text        not null,
    xml           text        not null,
    created_at    timestamptz not null default now()
);
