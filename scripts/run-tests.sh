#!/usr/bin/env bash
# The whole suite: first on the embedded default (SQLite), then again on PostgreSQL with
# the RabbitMQ integration tests, when those services are reachable (started if installed).
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${OMNI_VENV:-.venv}/bin/python"
mkdir -p test-output

start_services() {
  if ! pg_isready -q -h 127.0.0.1 2>/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && command -v rabbitmq-server >/dev/null; then
    rabbitmq-server -detached 2>/dev/null || true
    for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 1; done
  fi
}
start_services

status=0
echo "=== Test suite on SQLite (embedded default) ==="
"$PY" -m pytest "$@" || status=$?

PG_URL="${OMNI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/omnireadarr}"
pg_usable() {  # reachable and the test role may log in (a fresh install may refuse without a password)
  pg_isready -q -h 127.0.0.1 2>/dev/null && "$PY" - "$PG_URL" <<'PYEOF' 2>/dev/null
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
psycopg.connect(url, connect_timeout=5).close()
PYEOF
}
if pg_usable; then
  echo "=== Test suite on PostgreSQL (+ RabbitMQ integration) ==="
  DATABASE_URL="$PG_URL" \
    "$PY" -m pytest -m "not browser" "$@" || status=$?
else
  echo "=== PostgreSQL not reachable or refusing $PG_URL: PostgreSQL run skipped ==="
fi
exit $status
