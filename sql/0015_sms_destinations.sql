-- Toll fraud: where a client's SMS may go (ISO 3166 region codes; null: the client's own country, from
-- sms_from or else its time zone) and how many missed-call text-backs it sends in any hour.
alter table clients add column sms_countries text[];
alter table clients add column text_back_hourly_limit integer not null default 30;
