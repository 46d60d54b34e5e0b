#!/usr/bin/env bash
# Two nodes of the chat sample that act as one server through Redis:
#   http://127.0.0.1:5001 and http://127.0.0.1:5002 (open one in each of two tabs, and chat between them).
# Starts its own redis-server on REDIS_PORT (default 6390) unless REDIS is set to a running one (HOST:PORT).
# Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

pids=()
stop_all() { kill "${pids[@]}" 2>/dev/null || true; }
trap stop_all EXIT
trap 'exit 130' INT TERM

if [[ -z "${REDIS:-}" ]]; then
  port="${REDIS_PORT:-6390}"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no &
  pids+=($!)
  REDIS="127.0.0.1:$port"
fi

[[ -f Chat/node_modules/signalr/jquery.signalR.min.js ]] || npm ci --prefix Chat
dotnet build Chat --nologo -v quiet

for node in 5001 5002; do
  dotnet run --no-build --project Chat -- --urls "http://127.0.0.1:$node" --Redis "$REDIS" &
  pids+=($!)
done
echo "Chat nodes on http://127.0.0.1:5001 and http://127.0.0.1:5002, sharing Redis at $REDIS. Ctrl+C stops them."
wait
