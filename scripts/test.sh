#!/usr/bin/env bash
# Installs what is missing, builds everything (warnings are errors) and runs every test tier
# (unit, store and integration: the real authd over HTTP), in three stages:
#   1. the `ci` preset (the release build, warnings as errors): build, clang-tidy over src/
#      (scripts/tidy.sh), then every test, then the checks that every response the OpenAPI
#      document promises was produced by some test and that every response the tests received
#      validates against the document (ajv, tests/node);
#   2. the `debug` preset (AddressSanitizer + UndefinedBehaviorSanitizer): build, then every test
#      again; a leak, a memory error or undefined behaviour fails the run;
#   3. scripts/fuzz.sh, when it exists, for AUTHD_FUZZ_SECONDS (default 60).
# CI (.ci/run) runs all three. Day to day, AUTHD_TEST_QUICK=1 runs stage 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
stage_started=$SECONDS
stage() {
  stage_started=$SECONDS
  printf '\n==== %s ====\n' "$*"
}
stage_done() {
  printf '==== done in %d s ====\n' $((SECONDS - stage_started))
}

stage "dependencies"
scripts/install-deps.sh test
stage_done

stage "release build and tests (ci preset)"
cmake --preset ci >/dev/null
cmake --build --preset ci
scripts/tidy.sh
rm -rf build/ci/test-responses  # the integration tests log every response here
# The legacy Express apps that `authd import` is tested on make their databases themselves
# (tests/legacy-apps; pinned in its package-lock.json; node_modules never committed).
command -v npm >/dev/null || { echo "npm is missing (scripts/install-deps.sh test installs it)" >&2; exit 1; }
(cd tests/legacy-apps && npm ci --no-audit --no-fund)
# The hosted pages' browser tests: puppeteer-core and axe-core (pinned in
# tests/browser/package-lock.json), driving Debian's Chromium; no browser is downloaded.
(cd tests/browser && npm ci --no-audit --no-fund)
ctest --preset ci
# The OpenAPI document promises responses; every one of them must have been produced by some
# integration test of the run above (tests/unit/openapi_test.cpp).
coverage=$(build/ci/tests/authd_unit_tests --gtest_filter='OpenApiCoverage.*' 2>&1) ||
  { echo "$coverage"; exit 1; }
grep -q 'PASSED.*1 test' <<<"$coverage" || { echo "$coverage"; echo "the OpenAPI coverage check did not run" >&2; exit 1; }
echo "OpenAPI coverage: every documented response was produced, every produced one documented"
# Every logged response (status, Content-Type and body) must match the document, by ajv, a JSON
# Schema validator independent of authd (pinned in tests/node/package-lock.json; node_modules is
# installed here, never committed).
(cd tests/node && npm ci --no-audit --no-fund)
node tests/node/validate-responses.mjs build/ci/test-responses
stage_done

if [[ "${AUTHD_TEST_QUICK:-0}" == 1 ]]; then
  printf '\nAUTHD_TEST_QUICK=1: sanitizer and fuzz stages skipped (%d s in all)\n' \
    $((SECONDS - started))
  exit 0
fi

stage "ASan + UBSan build and tests (debug preset)"
cmake --preset debug >/dev/null
cmake --build --preset debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset debug
stage_done

if [[ -f scripts/fuzz.sh ]]; then
  stage "fuzzing, ${AUTHD_FUZZ_SECONDS:-60} s (scripts/fuzz.sh)"
  scripts/fuzz.sh "${AUTHD_FUZZ_SECONDS:-60}"
  stage_done
else
  printf '\n==== fuzzing skipped: no scripts/fuzz.sh ====\n'
fi

printf '\nall stages passed in %d s\n' $((SECONDS - started))
