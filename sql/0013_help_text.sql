-- The answer to a customer's HELP or INFO (program name and how to reach the business, as US carriers
-- require). Null: no answer of ours (a Twilio number's own default answers).
alter table clients add column help_text text;
