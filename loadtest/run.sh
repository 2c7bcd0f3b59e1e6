#!/usr/bin/env bash
# loadtest/run.sh USERS SECONDS: `make serve` on DATABASE_URL (PostgreSQL), locust
# headless against it, then reconcile the database with the accepted writes.
# `make loadtest` runs it inside scripts/with_postgres.sh (50 users, 60 s).
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-50}
seconds=${2:-60}
: "${DATABASE_URL:?loadtest needs DATABASE_URL (make loadtest sets up PostgreSQL)}"
export LOADTEST_RESULTS=${LOADTEST_RESULTS:-loadtest/results}
rm -rf "$LOADTEST_RESULTS" && mkdir -p "$LOADTEST_RESULTS"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The limits protect production from abuse; here the load is the point.
export DJANGO_THROTTLE_USER=1000000/minute DJANGO_THROTTLE_ANON=1000000/minute
export BIND=127.0.0.1:$port GUNICORN_ACCESS_LOG=/dev/null WEB_CONCURRENCY=${WEB_CONCURRENCY:-4}
scripts/serve.sh >"$LOADTEST_RESULTS/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

healthy() {
  .venv/bin/python -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=5)' "http://127.0.0.1:$port/healthz" >/dev/null 2>&1
}
for _ in $(seq 1 240); do
  healthy && break
  kill -0 $server 2>/dev/null || { cat "$LOADTEST_RESULTS/server.log"; exit 1; }
  sleep 0.5
done
healthy || { echo "loadtest: the server never became healthy"; exit 1; }

LOADTEST_USERS=$users .venv/bin/python manage.py shell < loadtest/setup_users.py
.venv/bin/locust -f loadtest/locustfile.py --headless --users "$users" \
  --spawn-rate "$users" --run-time "${seconds}s" --stop-timeout 60 --host "http://127.0.0.1:$port" \
  --csv "$LOADTEST_RESULTS/locust" --only-summary --exit-code-on-error 0 \
  >"$LOADTEST_RESULTS/locust.log" 2>&1 || { tail -30 "$LOADTEST_RESULTS/locust.log"; exit 1; }
.venv/bin/python manage.py shell < loadtest/reconcile.py | tee "$LOADTEST_RESULTS/summary.txt"
