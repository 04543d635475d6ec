#!/usr/bin/env bash
# Posts a signed call outcome to a running FollowUp, as telephony would:
#   WEBHOOK_SECRET=whsec_... scripts/demo-call.sh [booked|not_booked|cancelled|rescheduled|no_answer] [phone] [email]
# The signature is X-FollowUp-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>,
# computed here at send time (it is refused after 300 s).
set -euo pipefail
: "${WEBHOOK_SECRET:?set WEBHOOK_SECRET (./run.sh prints it)}"
APP_URL="${FOLLOWUP_URL:-http://127.0.0.1:5080}"
OUTCOME="${1:-booked}"
PHONE="${2:-+12125550123}"
EMAIL="${3:-ana@example.com}"
NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
EVENT="evt_demo_$(date +%s%N)"
# The appointment: 14:00 in New York, three days from now, with its offset.
STARTS="$(TZ=America/New_York date -d '+3 days' +%Y-%m-%dT14:00:00%:z)"
APPOINTMENT=""
case "$OUTCOME" in
  booked|cancelled|rescheduled)
    APPOINTMENT=", \"appointment\": { \"id\": \"apt_demo\", \"starts_at\": \"$STARTS\", \"service\": \"Cleaning\" }" ;;
esac
BODY="{ \"event_id\": \"$EVENT\", \"event\": \"call_ended\", \"client_id\": \"acme-dental\", \"call_id\": \"call_$EVENT\", \"occurred_at\": \"$NOW\", \"outcome\": \"$OUTCOME\", \"customer\": { \"name\": \"Ana Diaz\", \"phone\": \"$PHONE\", \"email\": \"$EMAIL\" }$APPOINTMENT }"
T="$(date +%s)"
SIG="$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -hex | sed 's/^.* //')"
curl -sS -X POST "$APP_URL/webhooks/calls" -H "Content-Type: application/json" \
  -H "X-FollowUp-Signature: t=$T,v1=$SIG" --data-binary "$BODY" -w '\nHTTP %{http_code}\n'
