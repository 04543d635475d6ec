-- Quiet hours in the recipient's zone: marketing kinds go only inside this daily window of the
-- recipient's local time (zones from the phone number), on top of business hours. ["HH:mm", "HH:mm"],
-- "24:00" as the end of the day; existing clients get the default, 08:00 to 21:00.
alter table clients add column recipient_hours jsonb not null default '["08:00", "21:00"]';
