-- A client's own SMS webhook route: every SMS of the client is a signed POST to this URL (the business's
-- automation), and its delivery reports come to /webhooks/route/{client_id}/status signed with the secret.
-- The secret is stored encrypted (Data Protection, as the client's other secrets); both or neither.
alter table clients add column sms_route_url text, add column sms_route_secret text;
alter table clients add constraint clients_sms_route_secret check ((sms_route_url is null) = (sms_route_secret is null));
