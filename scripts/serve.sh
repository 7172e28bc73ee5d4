#!/usr/bin/env bash
# Installs what running needs, builds authd (the `server` preset: release, no tests) and runs it
# on its embedded default:
# http://127.0.0.1:8080, data in ./authd-data/. Extra arguments go to `authd serve`
# (see `build/server/authd serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh run
[[ -f build/server/build.ninja ]] || cmake --preset server >/dev/null
cmake --build --preset server
exec build/server/authd serve "$@"
