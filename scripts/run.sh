#!/usr/bin/env bash
# Starts the mocks and both BFFs from ./bin with their defaults, prints the
# URLs, and stops all three on Ctrl-C (or when any of them exits).
set -uo pipefail
cd "$(dirname "$0")/.."

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait
  echo "stopped"
}
trap stop INT TERM EXIT

./bin/mocks & pids+=($!)
# The BFFs retry their upstreams, but wait for the mocks' admin endpoint so
# the first requests do not race the mocks' start-up.
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:9000/healthz >/dev/null 2>&1 && break
  sleep 0.1
done
# Text logs for people; production keeps the default JSON.
./bin/bff-web -dev -log-format text & pids+=($!)
./bin/bff-mobile -dev -log-format text & pids+=($!)

cat <<MSG

Tandem is running:
  bff-web     http://127.0.0.1:8080/graphql   (GraphiQL at http://127.0.0.1:8080/)
  bff-mobile  http://127.0.0.1:8081/graphql   (GraphiQL at http://127.0.0.1:8081/)
  metrics     http://127.0.0.1:8090/metrics, http://127.0.0.1:8091/metrics (pprof under /debug/pprof/)
  mocks admin http://127.0.0.1:9000           (counters, faults, tokens)
  a token:    make token SUB=usr_000001 SCOPES="orders:read orders:write"
Press Ctrl-C to stop.

MSG
wait -n
