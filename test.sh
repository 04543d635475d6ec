#!/usr/bin/env bash
# Restores, builds, starts a throwaway PostgreSQL cluster on a free loopback port, runs every test
# project, stops the cluster (also on failure), and ends with the line CI reads: N passed, N failed.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/pg.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The dashboard's browser tests drive Debian's chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium for the dashboard browser tests"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
    echo "could not install chromium (apt-get); the dashboard browser tests will fail"
  fi
fi
if ! dotnet build FollowUp.sln -c Release -nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

PGDIR="$(mktemp -d /tmp/followup-test-pg.XXXXXX)"
chmod 755 "$PGDIR"
PORT="$(free_port)"
cleanup() { pg_stop "$PGDIR/data"; rm -rf "$PGDIR"; }
trap cleanup EXIT
pg_init "$PGDIR/data"
pg_start "$PGDIR/data" "$PORT" fsync=on
export FOLLOWUP_TEST_PG="Host=127.0.0.1;Port=$PORT;Username=postgres;Pooling=true;Maximum Pool Size=50"

RESULTS="$(pwd)/TestResults"
rm -rf "$RESULTS"
dotnet test FollowUp.Tests/FollowUp.Tests.csproj -c Release --no-build --nologo \
  --logger "trx;LogFilePrefix=FollowUp.Tests" --logger "console;verbosity=normal" \
  --blame-hang-timeout 5m --results-directory "$RESULTS" "$@"
status=$?

python3 - "$RESULTS" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/*.trx")
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None:
        continue
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
if not files:
    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
summary=$?
[ $status -ne 0 ] && exit $status
exit $summary
