#!/usr/bin/env bash
# The README's run command (scripts/serve.sh) installs only what building and running the server
# needs: none of the servers, browsers or compilers the tests use. (It used to install clang,
# PostgreSQL and nginx.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

run=$("$root/scripts/install-deps.sh" --list run)
test=$("$root/scripts/install-deps.sh" --list test)
status=0
for test_only in postgresql nginx caddy nodejs clang libclang-rt-14-dev llvm-14 clang-tidy libgtest-dev \
    curl jq e2fsprogs python3-aiosmtpd mariadb-server; do
  if grep -qx "$test_only" <<<"$run"; then
    echo "the run list installs $test_only, which only the tests need" >&2
    status=1
  fi
  if ! grep -qx "$test_only" <<<"$test"; then
    echo "the test list lacks $test_only" >&2
    status=1
  fi
done
# Every package of the run list is also installed for the tests.
while read -r package; do
  grep -qx "$package" <<<"$test" || { echo "the test list lacks $package" >&2; status=1; }
done <<<"$run"
grep -q 'install-deps.sh run$' "$root/scripts/serve.sh" ||
  { echo "scripts/serve.sh does not install the run list" >&2; status=1; }
grep -q 'cmake --preset server' "$root/scripts/serve.sh" ||
  { echo "scripts/serve.sh does not build the server preset (no tests, no GoogleTest)" >&2; status=1; }
exit $status
