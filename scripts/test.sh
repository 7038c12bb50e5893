#!/usr/bin/env bash
# Runs the whole test suite on SQLite, then on a fresh PostgreSQL database that it creates and drops.
#   scripts/test.sh [all|sqlite|postgres] [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
[ $# -gt 0 ] && shift
pytest=.venv/bin/pytest
pg_base=${TEST_PG_BASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432}
pg_host=${TEST_PG_HOST:-127.0.0.1}
pg_port=${TEST_PG_PORT:-5432}
pg_user=${TEST_PG_USER:-postgres}

run_sqlite() {
  echo "== Test suite on SQLite"
  env -u TEST_DATABASE_URL "$pytest" "$@"
}

start_postgres() {
  pg_isready -q -h "$pg_host" -p "$pg_port" && return 0
  echo "PostgreSQL is not answering on $pg_host:$pg_port; starting the local cluster."
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h "$pg_host" -p "$pg_port" && return 0
    sleep 1
  done
  echo "PostgreSQL did not start on $pg_host:$pg_port." >&2
  return 1
}

start_redis() {
  # The shared rate-limit test needs a Redis on 127.0.0.1:6379 (or TEST_REDIS_URL).
  [ -n "${TEST_REDIS_URL:-}" ] && return 0
  (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && return 0
  echo "Redis is not answering on 127.0.0.1:6379; starting one (nothing kept on disk)."
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 20); do
    (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && return 0
    sleep 0.5
  done
  echo "Redis did not start on 127.0.0.1:6379." >&2
  return 1
}

run_postgres() {
  start_postgres
  db="tracker_test_$(date +%s)_$$"
  echo "== Test suite on PostgreSQL (database $db)"
  psql -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -c "CREATE DATABASE \"$db\""
  # shellcheck disable=SC2064
  trap "psql -q -h '$pg_host' -p '$pg_port' -U '$pg_user' -d postgres -c 'DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)' >/dev/null" EXIT
  TEST_DATABASE_URL="$pg_base/$db" "$pytest" "$@"
}

start_redis
case "$mode" in
  sqlite) run_sqlite "$@" ;;
  postgres) run_postgres "$@" ;;
  all) run_sqlite "$@" && run_postgres "$@" ;;
  *) echo "usage: scripts/test.sh [all|sqlite|postgres] [pytest args]" >&2; exit 2 ;;
esac
