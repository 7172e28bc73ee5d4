#!/usr/bin/env bash
# Installs what is missing, builds everything (warnings are errors) and runs every test tier:
# unit, store and integration (the real authd over HTTP).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci
ctest --preset ci
