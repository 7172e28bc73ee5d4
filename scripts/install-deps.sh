#!/usr/bin/env bash
# Installs the Debian 12 packages authd needs. Idempotent: when every package is present it
# changes nothing and does not touch the network.
#
#   scripts/install-deps.sh run    # what building and running the server needs (scripts/serve.sh)
#   scripts/install-deps.sh test   # that, plus what the tests start or use (scripts/test.sh)
#   scripts/install-deps.sh --list run|test   # print the packages, install nothing
set -euo pipefail

run_packages=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # libraries (DESIGN.md §3)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsodium-dev libcrypt-dev libsqlite3-dev libzxcvbn-dev
  libcli11-dev libspdlog-dev libfmt-dev libpq-dev libmariadb-dev libcurl4-openssl-dev
)
test_packages=(
  libgtest-dev
  # a throwaway PostgreSQL cluster, and nginx as the load balancer in front of two authds;
  # nginx and Caddy run the README's gateway-check configurations
  postgresql nginx caddy
  # a throwaway MariaDB server: the legacy apps' MySQL databases that `authd import` reads
  mariadb-server
  # a real SMTP server with STARTTLS and AUTH (aiosmtpd), which the mail tests send to
  python3-aiosmtpd
  # Node.js verifies /v1 tokens independently of our JWS code (crypto.verify + JWKS) and runs
  # ajv over every logged response; curl and jq run the README's /v1 walkthrough
  nodejs curl jq
  # the hosted pages in a real browser: headless Chromium, driven by puppeteer-core (tests/browser)
  chromium
  # e2fsprogs' chattr makes a database file immutable for the "store cannot write" tests
  e2fsprogs
  # fuzzing: clang with libFuzzer and the sanitizer runtimes, llvm-symbolizer for stack traces
  clang libclang-rt-14-dev llvm-14
  # static analysis (scripts/tidy.sh, .clang-tidy)
  clang-tidy
)

list_only=false
if [[ "${1:-}" == --list ]]; then
  list_only=true
  shift
fi

case "${1:-}" in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  *)
    echo "usage: $0 [--list] run|test" >&2
    exit 2
    ;;
esac

if $list_only; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

# The tests' Node packages come through npm: Debian's nodejs ships without it (package npm),
# while a NodeSource nodejs brings its own and conflicts with Debian's npm.
if [[ "$1" == test ]] && ! command -v npm >/dev/null; then
  missing+=(npm)
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
