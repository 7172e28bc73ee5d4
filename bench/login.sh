#!/usr/bin/env bash
# Seed 003 login throughput against a 1-user database, next to its hash-bound limit measured in
# the same run: limit = worker threads / (seconds per password verification, in-process).
# Usage: bench/login.sh [argon2id|bcrypt] [bcrypt-cost]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
algorithm=${1:-argon2id}
cost=${2:-8}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
workers=$(nproc)

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[[ -f build/release/build.ninja ]] || cmake --preset release >/dev/null
cmake --build --preset release --target authd authd_hash_rate >/dev/null

data=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
# The password policy is not what is measured: --allow-common-passwords lets the fixed bench
# password register.
build/release/authd serve --listen 127.0.0.1:0 --database "sqlite:$data/authd.db" \
  --password-hash "$algorithm" --bcrypt-cost "$cost" --worker-threads "$workers" \
  --allow-common-passwords --log-level info >"$data/log" 2>&1 &
pid=$!
for _ in $(seq 200); do
  port=$(grep -oP 'listening on http://[^:]+:\K[0-9]+' "$data/log" || true)
  [[ -n "$port" ]] && break
  sleep 0.05
done
[[ -n "$port" ]] || { cat "$data/log"; exit 1; }
curl -sf "http://127.0.0.1:$port/api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1"}' >/dev/null ||
  { echo "login.sh: the benchmark user could not register" >&2; exit 1; }

seconds_per_hash=$(build/release/authd_hash_rate "$algorithm" "$cost" 40)
limit=$(awk -v w="$workers" -v s="$seconds_per_hash" 'BEGIN { printf "%.1f", w / s }')
login=$(wrk -t2 -c"$connections" -d"$duration" -s bench/seed003_login.lua "http://127.0.0.1:$port" |
  awk '/Requests\/sec/ { print $2 }')
health=$(wrk -t2 -c"$connections" -d"$duration" "http://127.0.0.1:$port/healthz" |
  awk '/Requests\/sec/ { print $2 }')

printf '%-34s %12s %12s %8s\n' "scenario" "req/s" "reference" "ratio"
label="seed 003 login, $algorithm"
[[ "$algorithm" == bcrypt ]] && label+=" cost $cost"
printf '%-34s %12s %12s %8s\n' "$label" "$login" "$limit" "$(awk -v a="$login" -v b="$limit" 'BEGIN { printf "%.2f", a / b }')"
printf '%-34s %12s\n' "GET /healthz (same server)" "$health"
echo "reference: $workers workers / ${seconds_per_hash}s per verification (in-process)"
