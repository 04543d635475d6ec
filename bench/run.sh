#!/usr/bin/env bash
# Runs a benchmark against a throwaway local PostgreSQL 15 cluster (fsync on, default settings but
# for shared_buffers=256MB, max_connections=300 and pg_stat_statements loaded), e.g.
# bench/run.sh engine [repeats], bench/run.sh stuck 100000 restart, bench/run.sh dashboard [requests per page].
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg.sh
dotnet build bench -c Release -nologo -v q
# bench -- webhooks and bench -- dashboard run the app as its own process.
dotnet build FollowUp.Web -c Release -nologo -v q
PGDIR="$(mktemp -d /tmp/followup-bench-pg.XXXXXX)"; chmod 755 "$PGDIR"
PORT="$(free_port)"
trap 'pg_stop "$PGDIR/data"; rm -rf "$PGDIR"' EXIT
pg_init "$PGDIR/data"
pg_start "$PGDIR/data" "$PORT" shared_preload_libraries=pg_stat_statements
export FOLLOWUP_BENCH_PG="Host=127.0.0.1;Port=$PORT;Username=postgres"
export FOLLOWUP_BENCH_PGDATA="$PGDIR/data"   # bench -- stuck ... restart restarts this cluster mid-run
dotnet bench/bin/Release/net10.0/FollowUp.Bench.dll "$@"
