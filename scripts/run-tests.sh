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

if pg_isready -q -h 127.0.0.1 2>/dev/null; then
  echo "=== Test suite on PostgreSQL (+ RabbitMQ integration) ==="
  DATABASE_URL="${OMNI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/omnireadarr}" \
    "$PY" -m pytest -m "not browser" "$@" || status=$?
else
  echo "=== PostgreSQL not reachable on 127.0.0.1:5432: PostgreSQL run skipped ==="
fi
exit $status
