#!/usr/bin/env bash
# Installs what is missing, builds authd (release) and runs it on its embedded default:
# http://127.0.0.1:8080, data in ./authd-data/. Extra arguments go to `authd serve`
# (see `build/release/authd serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[[ -f build/release/build.ninja ]] || cmake --preset release >/dev/null
cmake --build --preset release --target authd
exec build/release/authd serve "$@"
