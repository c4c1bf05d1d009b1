#!/usr/bin/env bash
# Sourced by ./test.sh: installs PostgreSQL from Debian's package if missing, starts a private throwaway
# cluster on a free loopback port, exports COFFER_TEST_POSTGRES, and defines stop_postgres for the exit trap.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "Installing PostgreSQL from Debian's package..."
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null \
    || { echo "could not install postgresql" >&2; return 1; }
fi
PG_BIN="$(pg_bin)"

PG_DIR="$(mktemp -d -t coffer-pg-XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres user the package created.
  chown postgres "$PG_DIR"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U coffer -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; return 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
  || { cat "$PG_DIR/server.log" >&2; return 1; }

export COFFER_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=coffer;Database=postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') started on 127.0.0.1:$PG_PORT"

stop_postgres() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
