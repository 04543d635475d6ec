#!/usr/bin/env bash
# Sets everything up and serves FollowUp on http://127.0.0.1:5080:
#   restore + build, a local PostgreSQL 15 cluster in .data/pg (git-ignored; reused next time),
#   the database, migrations (applied by the app at start-up), then the web app in the foreground.
# Ctrl-C stops the app; `./run.sh stop` stops the database.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/pg.sh

PG_PORT="${FOLLOWUP_PG_PORT:-5433}"
APP_URL="${FOLLOWUP_URL:-http://127.0.0.1:5080}"
DATA="$(pwd)/.data/pg"
if [ "$(id -u)" = "0" ] && ! runuser -u postgres -- test -x "$(pwd)" 2>/dev/null; then
  # The checkout sits where the postgres user cannot reach (for example under /root).
  DATA="/var/lib/followup/$(pwd | sha1sum | cut -c1-12)/pg"
  echo "note: the postgres user cannot reach $(pwd); the cluster lives in $DATA"
fi

if [ "${1:-}" = "stop" ]; then
  pg_stop "$DATA"
  echo "PostgreSQL stopped."
  exit 0
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build FollowUp.Web -c Release -nologo -v q

pg_init "$DATA"
pg_start "$DATA" "$PG_PORT"
if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname = 'followup'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database followup"
fi

export ConnectionStrings__FollowUp="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=followup"
export ASPNETCORE_URLS="$APP_URL"

# Local demo credentials, generated once and kept beside the cluster (git-ignored).
SECRETS="$(dirname "$DATA")/demo.env"
if [ ! -f "$SECRETS" ]; then
  umask 077
  {
    echo "API_KEY=fu_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "WEBHOOK_SECRET=whsec_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } > "$SECRETS"
fi
if ! grep -q '^DASHBOARD_PASSWORD=' "$SECRETS"; then
  # Added to an older demo.env too; the first admin is created from it at start-up if none exists.
  echo "DASHBOARD_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> "$SECRETS"
fi
# shellcheck disable=SC1090
source "$SECRETS"
export FollowUp__Api__Keys__0="$API_KEY"
export FollowUp__Dashboard__AdminPassword="$DASHBOARD_PASSWORD"
# Local development over plain HTTP: without this the dashboard cookies are Secure-only and sign-in
# cannot work on http://127.0.0.1. Never set it where the app is reached from another machine.
export FollowUp__Dashboard__AllowInsecureCookies="${FollowUp__Dashboard__AllowInsecureCookies:-true}"

# Once the app is ready, create or refresh the demo client (America/New_York, Mon-Fri 09:00-17:00).
(
  for _ in $(seq 1 120); do
    curl -fsS "$APP_URL/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS -o /dev/null -X PUT "$APP_URL/api/clients/acme-dental" \
    -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" \
    --data-binary @- <<JSON && echo "demo client acme-dental is ready" || echo "warning: could not create the demo client"
{ "name": "Acme Dental", "time_zone": "America/New_York",
  "business_hours": { "mon": ["09:00", "17:00"], "tue": ["09:00", "17:00"], "wed": ["09:00", "17:00"],
                      "thu": ["09:00", "17:00"], "fri": ["09:00", "17:00"] },
  "closed_dates": ["2026-12-25"], "webhook_secret": "$WEBHOOK_SECRET", "email_enabled": true,
  "missed_call_text_back": false, "daily_limit_per_recipient": 3, "recipient_hours": ["08:00", "21:00"],
  "sms_from": "+12125550100", "email_from": "Acme Dental <hello@acme.example>" }
JSON
) &

cat <<MSG

FollowUp
  app          $APP_URL
  dashboard    $APP_URL/dashboard/login   user admin, password $DASHBOARD_PASSWORD
  health       $APP_URL/health/live   $APP_URL/health/ready
  database     $ConnectionStrings__FollowUp
  data folder  $DATA   (./run.sh stop stops it)
  API key      $API_KEY
  demo client  acme-dental (America/New_York, Mon-Fri 09:00-17:00)
               webhook secret $WEBHOOK_SECRET
               curl -H "Authorization: Bearer $API_KEY" $APP_URL/api/clients/acme-dental
  a call       plan a real follow-up (confirmation + reminders, SMS and email, sandbox providers):
               WEBHOOK_SECRET=$WEBHOOK_SECRET scripts/demo-call.sh booked
               the same by hand (the signature is computed at send time; it expires after 300 s):
               body='{"event_id":"evt_1","event":"call_ended","client_id":"acme-dental","call_id":"call_1","occurred_at":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","outcome":"not_booked","customer":{"name":"Ana Diaz","phone":"+12125550123"}}'
               t=\$(date +%s); sig=\$(printf '%s.%s' "\$t" "\$body" | openssl dgst -sha256 -hmac '$WEBHOOK_SECRET' -hex | sed 's/^.* //')
               curl -X POST $APP_URL/webhooks/calls -H 'Content-Type: application/json' -H "X-FollowUp-Signature: t=\$t,v1=\$sig" --data-binary "\$body"
               then: curl -H "Authorization: Bearer $API_KEY" $APP_URL/api/calls/call_1
  Ctrl-C stops the app.

MSG
cd FollowUp.Web  # the content root: appsettings.json is read from here
exec dotnet bin/Release/net10.0/FollowUp.Web.dll
