#!/usr/bin/env bash
# Installs what tagwise needs on a fresh Debian 12 machine, idempotently:
# Debian packages (compilers, Emscripten, test libraries, Chromium) and the npm
# dev dependencies. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-wqy-microhei: a CJK font, so Chromium lays out (and screenshots) the
# demo's Chinese text with real glyphs, not boxes of another width.
# postgresql: the SQL tests start a throwaway server of their own (initdb in a
# temp dir, unix socket only) to run the catalog compiled to SQL.
# clang + libclang-rt-14-dev: the sanitizer build (ASan + UBSan + libFuzzer) that
# the tests and tools/fuzz.sh run in.
packages=(cmake g++ make clang libclang-rt-14-dev emscripten nlohmann-json3-dev libgtest-dev libbenchmark-dev
  chromium nodejs fonts-wqy-microhei postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Node may come from another source (e.g. NodeSource); only install Debian's when absent.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs/}")
fi
missing=($(printf '%s\n' "${missing[@]}" | sed '/^$/d'))
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  command -v npm >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq npm >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.tagwise-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # `npm install` (which keeps the locked versions) rather than `npm ci`:
  # @duckdb/node-api has one optional binary package per platform, and the
  # registry this project is built against serves only linux-x64's, so the
  # lock cannot list the others and `npm ci` would refuse it.
  echo "setup: npm install (locked versions)"
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
