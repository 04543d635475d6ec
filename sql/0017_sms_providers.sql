-- A client's own SMS provider order (names: twilio, webhook), overriding FollowUp:Sms:Providers for its
-- messages; null: the global order.
alter table clients add column sms_providers text[];
