#!/usr/bin/env bash
# The embedded development database: a project-local PostgreSQL cluster under var/postgres,
# listening on 127.0.0.1:54329 (the default DATABASE_URL in rosealliance/settings.py).
#
#   scripts/pg_local.sh start   # create on first use, start if not running (idempotent)
#   scripts/pg_local.sh stop    # stop cleanly
#   scripts/pg_local.sh status
#
# It uses the machine's PostgreSQL binaries when there are any, and otherwise the ones the
# `pgserver` package ships through pip (installed into .venv on demand). PostgreSQL refuses
# to run as root, so as root the cluster runs as the `postgres` system user.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$ROOT/var/postgres"
LOG="$ROOT/var/postgres.log"
PORT="${EMBEDDED_PG_PORT:-54329}"
DB_NAME="rosealliance"

find_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ]; then echo "$candidate"; return; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  # No system PostgreSQL: use the binaries shipped in the pgserver wheel.
  local py="$ROOT/.venv/bin/python"
  "$py" -c "import pgserver" 2>/dev/null || "$py" -m pip install --quiet "pgserver>=0.1.4" >&2
  "$py" -c "import pgserver, pathlib; print(pathlib.Path(pgserver.__file__).parent / 'pginstall' / 'bin')"
}

BIN="$(find_bindir)"

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u "$PG_OWNER" -- "$@"
  else
    "$@"
  fi
}

PG_OWNER="$(id -un)"
if [ "$(id -u)" = "0" ]; then
  PG_OWNER=postgres
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi

is_running() {
  [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  mkdir -p "$ROOT/var"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = "0" ] && chown -R "$PG_OWNER" "$DATA"
    chmod 700 "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  touch "$LOG"; [ "$(id -u)" = "0" ] && chown "$PG_OWNER" "$LOG"
  if ! is_running; then
    # Loopback only, sockets in the data directory (readable only by its owner).
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >/dev/null
  fi
  # The project's two roles (scripts/db_roles.sql): the application connects as one that
  # owns nothing; the database and its tables belong to the other.
  as_owner "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    <"$ROOT/scripts/db_roles.sql" >/dev/null
  if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1; then
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres -O rosealliance_owner "$DB_NAME"
  fi
  # A database made before the two roles existed: hand it and its objects to the owner.
  as_owner "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d "$DB_NAME" -v ON_ERROR_STOP=1 \
    <"$ROOT/scripts/db_adopt.sql" >/dev/null
  echo "embedded PostgreSQL on 127.0.0.1:$PORT (data in var/postgres)"
}

stop() {
  if is_running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "embedded PostgreSQL stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo running; else echo stopped; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
