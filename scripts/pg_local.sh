#!/usr/bin/env bash
# The embedded development database: a project-local PostgreSQL cluster listening on
# 127.0.0.1:54329 (EMBEDDED_PG_PORT; the default DATABASE_URL in rosealliance/settings.py).
# `make run`, `make test`, `make bench` and `.ci/run` all start it through `start` below.
#
#   scripts/pg_local.sh start   # create on first use, start if not running (idempotent)
#   scripts/pg_local.sh stop    # stop cleanly
#   scripts/pg_local.sh status  # running / stopped
#   scripts/pg_local.sh where   # the cluster's folder (data/ and postgres.log inside)
#
# It uses the machine's PostgreSQL binaries when there are any, and otherwise the ones the
# `pgserver` package ships through pip (installed into .venv on demand, with hashes).
#
# Where the cluster lives. PostgreSQL refuses to run as root, so as root the server runs as
# the `postgres` system user, who may be unable to enter the checkout (a `mktemp -d`, root's
# home, a container's working directory are all 0700). So:
#   - as an ordinary user: var/postgres/ in the checkout (the user owns it);
#   - as root: /var/lib/rosealliance-pg/<hash of the checkout's path>/, owned by postgres,
#     one cluster per checkout (the file `checkout` inside names it).
# Durable: fsync stays on (a crash or power cut must not corrupt `make run`'s data).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${EMBEDDED_PG_PORT:-54329}"
DB_NAME="rosealliance"

if [ "$(id -u)" = "0" ]; then
  PG_OWNER=postgres
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  KEY="$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
  CLUSTER="${EMBEDDED_PG_DIR:-/var/lib/rosealliance-pg/$KEY}"
else
  PG_OWNER="$(id -un)"
  CLUSTER="${EMBEDDED_PG_DIR:-$ROOT/var/postgres}"
fi
DATA="$CLUSTER/data"
LOG="$CLUSTER/postgres.log"
# A cluster made by the earlier layout (data straight in var/postgres) keeps being used.
if [ -z "${EMBEDDED_PG_DIR:-}" ] && [ -f "$ROOT/var/postgres/PG_VERSION" ]; then
  CLUSTER="$ROOT/var/postgres"; DATA="$CLUSTER"; LOG="$ROOT/var/postgres.log"; LEGACY=1
fi

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    # From /, since the owner may not be allowed into the current folder.
    (cd / && runuser -u "$PG_OWNER" -- "$@")
  else
    "$@"
  fi
}

find_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ]; then echo "$candidate"; return; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  # No system PostgreSQL: the binaries shipped in the pgserver wheel, pinned with hashes.
  local py="$ROOT/.venv/bin/python"
  if ! "$py" -c "import pgserver" 2>/dev/null \
      && ! "$py" -m pip install --quiet --require-hashes -r "$ROOT/requirements-pgserver.lock" >&2; then
    echo "pg_local.sh: no PostgreSQL binaries on this machine, and pgserver's could not be" >&2
    echo "installed (it has wheels for Python 3.9-3.12 only). Install PostgreSQL (Debian:" >&2
    echo "apt-get install postgresql), or set DATABASE_URL to a server you have." >&2
    exit 1
  fi
  "$py" -c "import pgserver, pathlib; print(pathlib.Path(pgserver.__file__).parent / 'pginstall' / 'bin')"
}

# The server's binaries must be executable by the user it runs as: pgserver's live inside
# .venv, which `postgres` cannot reach in a 0700 checkout. Copy that install (bin, lib,
# share: PostgreSQL finds them relative to its binaries) next to the cluster once.
reachable_bindir() {
  local bin="$1"
  if as_owner test -x "$bin/postgres"; then echo "$bin"; return; fi
  local install; install="$(dirname "$bin")"
  if [ ! -x "$CLUSTER/pginstall/bin/postgres" ]; then
    rm -rf "$CLUSTER/pginstall"
    cp -a "$install" "$CLUSTER/pginstall"
    chmod -R a+rX "$CLUSTER/pginstall"
  fi
  echo "$CLUSTER/pginstall/bin"
}

prepare_cluster_dir() {
  if [ -n "${LEGACY:-}" ]; then return; fi
  # Every folder above the cluster must let its owner through; the cluster is theirs alone.
  if [ "$(id -u)" = "0" ] && [ -z "${EMBEDDED_PG_DIR:-}" ]; then
    mkdir -p /var/lib/rosealliance-pg && chmod 755 /var/lib/rosealliance-pg
  fi
  mkdir -p "$CLUSTER"
  if [ "$(id -u)" = "0" ]; then
    chown "$PG_OWNER" "$CLUSTER"
    printf '%s\n' "$ROOT" > "$CLUSTER/checkout"
  fi
  chmod 700 "$CLUSTER"
}

is_running() {
  [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

start() {
  prepare_cluster_dir
  BIN="$(reachable_bindir "$(find_bindir)")"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    as_owner mkdir -m 700 "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_owner touch "$LOG"
  if ! is_running; then
    if port_taken; then
      echo "pg_local.sh: 127.0.0.1:$PORT is taken (another checkout's embedded PostgreSQL?)." >&2
      echo "Stop that one (make db-stop there) or pick a port: EMBEDDED_PG_PORT=54330." >&2
      exit 1
    fi
    # Loopback only, sockets in the data directory (readable only by its owner). fsync and
    # full_page_writes stay at their defaults (on): this is where `make run` keeps its data.
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA" start >/dev/null; then
      echo "pg_local.sh: PostgreSQL did not start; the end of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      exit 1
    fi
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
  echo "embedded PostgreSQL on 127.0.0.1:$PORT (data in $DATA)"
}

stop() {
  if [ ! -f "$DATA/PG_VERSION" ]; then return; fi
  BIN="$(reachable_bindir "$(find_bindir)")"
  if is_running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "embedded PostgreSQL stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if [ -f "$DATA/PG_VERSION" ]; then BIN="$(reachable_bindir "$(find_bindir)")"; fi
    if [ -f "$DATA/PG_VERSION" ] && is_running; then echo running; else echo stopped; fi ;;
  where) echo "$CLUSTER" ;;
  *) echo "usage: $0 start|stop|status|where" >&2; exit 2 ;;
esac
