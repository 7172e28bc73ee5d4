#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan) and runs each of them:
# first every saved input in fuzz/corpus/<target>/ once (seeds and regression inputs from past
# crashes), then a timed run of [seconds-per-target] (default 60) on a copy of that folder, so a
# run never writes into the repository. Prints one line per target and exits non-zero if any
# target crashed; crash inputs and logs stay in the work folder it names.
#
#   scripts/fuzz.sh [seconds-per-target]
#   CMAKE_BUILD_PARALLEL_LEVEL=1 scripts/fuzz.sh 60   # limit build jobs on a small machine
#   AUTHD_FUZZ_WORK=/tmp/fuzz-run scripts/fuzz.sh     # choose the work folder (default: mktemp)
#
# The targets keep their SQLite store in a temp folder under /dev/shm when it is writable (a
# synced commit on tmpfs costs nothing, which doubles the execution rate), else under $TMPDIR.
#
# Needs clang and its libFuzzer runtime (Debian 12: clang-14 libclang-rt-14-dev, plus llvm-14
# for symbolized stack traces) on top of scripts/install-deps.sh.
set -euo pipefail

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: $0 [seconds-per-target]" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
targets=(fuzz_http_request fuzz_dialect_bodies fuzz_jws)
bin_dir="$root/build/fuzz/fuzz"

cmake --preset fuzz
cmake --build --preset fuzz

work=${AUTHD_FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/authd-fuzz.XXXXXX")}
mkdir -p "$work"

# Stop at the first report, with a stack trace; libFuzzer then saves the input.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:print_summary=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:print_summary=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" ]] && command -v llvm-symbolizer >/dev/null; then
  export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
fi

store_tmp=${TMPDIR:-/tmp}
if [[ -d /dev/shm && -w /dev/shm ]]; then store_tmp=/dev/shm; fi

# Value of libFuzzer's final "stat::<name>: <value>" line in a log, 0 when absent.
final_stat() {
  local value
  value=$(sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1)
  echo "${value:-0}"
}

failed=()
summary=()
for target in "${targets[@]}"; do
  binary="$bin_dir/$target"
  corpus="$root/fuzz/corpus/$target"
  out="$work/$target"
  rm -rf "$out"
  mkdir -p "$out/corpus" "$out/artifacts"

  # Regression: every saved input once (libFuzzer runs plain file arguments and exits).
  mapfile -t saved < <(find "$corpus" -maxdepth 1 -type f | sort)
  echo "== $target: ${#saved[@]} saved inputs"
  if ! (cd "$out" && TMPDIR="$store_tmp" "$binary" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$out/artifacts/" "${saved[@]}") >"$out/regression.log" 2>&1; then
    echo "$target: a saved input fails (log: $out/regression.log)" >&2
    tail -n 40 "$out/regression.log" >&2
    failed+=("$target")
    summary+=("$target: regression inputs FAILED, timed run skipped")
    continue
  fi

  # Timed run on a copy of the corpus; new inputs and crash files land in the work folder only.
  cp -a "$corpus/." "$out/corpus/"
  echo "== $target: fuzzing for $seconds s"
  start=$(date +%s)
  status=0
  (cd "$out" && TMPDIR="$store_tmp" "$binary" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/" "$out/corpus") \
    >"$out/fuzz.log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  execs=$(final_stat number_of_executed_units "$out/fuzz.log")
  added=$(final_stat new_units_added "$out/fuzz.log")
  line="$target: $execs executions in $elapsed s, $added new corpus items"
  if ((status != 0)) || compgen -G "$out/artifacts/*" >/dev/null; then
    failed+=("$target")
    line+=" -- CRASHED (exit $status): $(ls "$out"/artifacts/* 2>/dev/null | tr '\n' ' ')"
    tail -n 60 "$out/fuzz.log" >&2
  fi
  summary+=("$line")
done

echo
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "failed: ${failed[*]}; logs, inputs and corpora in $work" >&2
  echo "minimise a crash with: build/fuzz/fuzz/<target> -minimize_crash=1 -runs=10000 <crash-file>" >&2
  exit 1
fi
if [[ -z "${AUTHD_FUZZ_WORK:-}" ]]; then rm -rf "$work"; fi
