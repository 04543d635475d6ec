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
cat <<MSG

FollowUp
  app          $APP_URL
  health       $APP_URL/health/live   $APP_URL/health/ready
  database     $ConnectionStrings__FollowUp
  data folder  $DATA   (./run.sh stop stops it)
  Ctrl-C stops the app.

MSG
cd FollowUp.Web  # the content root: appsettings.json is read from here
exec dotnet bin/Release/net10.0/FollowUp.Web.dll
