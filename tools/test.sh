#!/usr/bin/env bash
# Runs every tagwise test (the README's test command; .ci/run calls it):
#   1. native GoogleTest suite under ASan + UBSan (clang -O1; the -O3 path of the
#      same core is what the wasm suite and the package tests exercise)
#   2. the same core suite compiled to wasm (ctest under node)
#   3. every libFuzzer target for 20 s, after replaying fuzz/regressions/
#   4. node --test for the npm package, and headless Chromium: the package in a
#      real page, the demo shop and console
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
stage() { echo "== [$(( (SECONDS - start) / 60 ))m$(( (SECONDS - start) % 60 ))s] $*"; }
stage "setup"
bash tools/setup.sh
stage "build"
bash tools/build.sh sanitize
bash tools/build.sh wasm
# The demo's data (products, hint file, customer sample) once, before the
# browser tests that start the demo server in parallel processes.
node demo/data/build.mjs

stage "native core tests under ASan + UBSan (ctest)"
(cd build-sanitize && ctest --output-on-failure)
stage "core tests compiled to wasm, run by node (ctest)"
(cd build-wasm && ctest --output-on-failure -j2)
stage "fuzzing: regressions, then 20 s per target"
bash tools/fuzz.sh 20
stage "npm package tests (node --test) and the browser tests (Chromium)"
# The native hint builder that tests/js/hints_sql compares with SQL: the sanitizer build's.
TAGWISE_HINTS_TOOL=$PWD/build-sanitize/tagwise_hints node --test --test-concurrency=1 tests/js/ tests/browser/
stage "done"
