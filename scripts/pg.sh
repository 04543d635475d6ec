#!/usr/bin/env bash
# Local PostgreSQL 15 cluster helpers shared by run.sh, test.sh and bench.
# PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` OS user.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

as_pg() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_init DIR: initdb into DIR (owned by the server user) unless it is already a cluster.
pg_init() {
  local dir="$1"
  if [ -f "$dir/PG_VERSION" ]; then return 0; fi
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown -R postgres:postgres "$dir"
    chmod 700 "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "error: the postgres user cannot reach $dir (a parent folder is closed to it)." >&2
      return 1
    fi
  fi
  as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
}

# pg_start DIR PORT [extra -c options...]: start on 127.0.0.1:PORT, socket inside DIR.
pg_start() {
  local dir="$1" port="$2"; shift 2
  local opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c shared_buffers=256MB"
  for o in "$@"; do opts="$opts -c $o"; done
  if as_pg "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then return 0; fi
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null
  for _ in $(seq 1 60); do
    "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$port" -q && return 0
    sleep 0.5
  done
  echo "error: PostgreSQL did not become ready on port $port; see $dir/server.log" >&2
  return 1
}

pg_stop() {
  local dir="$1"
  [ -f "$dir/PG_VERSION" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# free_port: a free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
