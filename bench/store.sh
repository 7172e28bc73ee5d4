#!/usr/bin/env bash
# Store throughput for SQLite and PostgreSQL in one run (bench/README.md). Starts a throwaway
# PostgreSQL cluster with the tests' script and removes it afterwards.
# Usage: bench/store.sh [users]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/release/build.ninja ]] || cmake --preset release >/dev/null
cmake --build --preset release --target authd_store_bench >/dev/null

work=$(mktemp -d)
trap 'tests/pg/pg_cluster.sh stop "$work/pg" >/dev/null 2>&1; rm -rf "$work"' EXIT
uri=$(tests/pg/pg_cluster.sh start "$work/pg")
build/release/authd_store_bench "$work/bench.db" "$uri" "${1:-4000}" 2>&1 | grep -v "applied migration"
