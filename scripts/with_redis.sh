#!/usr/bin/env bash
# Run a command beside a throwaway Redis: Debian's redis-server (installed if
# missing, as root) on a free loopback port, no persistence; exports
# ICHUB_TEST_REDIS_URL (the Redis tests read it; set REDIS_URL from it to use
# RQ and the Redis caches), runs "$@", then stops the server whatever happened.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
  echo "with_redis: installing Debian's redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi

dir=$(mktemp -d /tmp/ichub-redis.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
  --logfile "$dir/redis.log" --daemonize no &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# Ready when it answers PING (bounded: 10 s).
ready=
for _ in $(seq 100); do
  if python3 - "$port" <<'PY' 2>/dev/null; then ready=1; break; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"PING\r\n")
sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
  kill -0 "$server" 2>/dev/null || { cat "$dir/redis.log" >&2; exit 2; }
  sleep 0.1
done
[ -n "$ready" ] || { echo "with_redis: redis-server did not answer" >&2; exit 2; }

export ICHUB_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
echo "with_redis: $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
