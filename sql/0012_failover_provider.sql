-- A failover names the provider it passed over in a column of its own, so the dashboard's provider
-- health and the failover alert count per provider without parsing the event's detail. Rows written
-- before this kept the provider as the detail's prefix ("twilio: refused (503)").
alter table message_events add column provider text;
update message_events set provider = split_part(detail, ':', 1) where event = 'failover';
