#!/usr/bin/env bash
# Installs the Debian 12 packages authd needs to build, run and test. Idempotent: when every
# package is present it changes nothing and does not touch the network.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # libraries (DESIGN.md §3)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsodium-dev libcrypt-dev libsqlite3-dev
  libcli11-dev libspdlog-dev libfmt-dev libpq-dev
  # tests: a throwaway PostgreSQL cluster and nginx as the load balancer in front of two authds
  libgtest-dev postgresql nginx
  # tests: Node.js verifies /v1 tokens independently of our JWS code (crypto.verify + JWKS);
  # curl and jq run the README's /v1 walkthrough
  nodejs curl jq
  # fuzzing: clang with libFuzzer and the sanitizer runtimes, llvm-symbolizer for stack traces
  clang libclang-rt-14-dev llvm-14
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
