-- The W3C trace context (traceparent) of whoever planned a message (a call webhook's request, an API
-- call), so its send job, days later, continues that trace. Null when telemetry was off.
alter table messages add column trace_parent text;
