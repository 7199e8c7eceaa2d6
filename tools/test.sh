#!/usr/bin/env bash
# Runs every tagwise test (the README's test command; .ci/run calls it):
#   1. native GoogleTest suite under ASan + UBSan (clang -O1; the -O3 path of the
#      same core is what the wasm suite and the package tests exercise)
#   2. the same core suite compiled to wasm (ctest under node)
#   3. every libFuzzer target for 20 s, after replaying fuzz/regressions/ (in
#      the background, beside 4)
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
# Fuzzing is single-threaded and the package tests run one file at a time, so
# on two cores they run side by side (the fuzzer at low priority; libFuzzer's
# time limit is wall time, so it still ends after 8 x 20 s).
stage "fuzzing in the background: regressions, then 20 s per target"
mkdir -p build-sanitize/fuzz-run
nice -n 10 bash tools/fuzz.sh 20 >build-sanitize/fuzz-run/ci.log 2>&1 &
fuzz_pid=$!
stage "npm package tests (node --test) and the browser tests (Chromium)"
# The native hint builder that tests/js/hints_sql compares with SQL: the sanitizer build's.
node_status=0
TAGWISE_HINTS_TOOL=$PWD/build-sanitize/tagwise_hints node --test --test-concurrency=1 tests/js/ tests/browser/ tests/demo/ ||
  node_status=$?
stage "fuzzing result"
fuzz_status=0
wait "$fuzz_pid" || fuzz_status=$?
cat build-sanitize/fuzz-run/ci.log
stage "done"
if ((node_status != 0 || fuzz_status != 0)); then
  echo "FAILED: node --test exit $node_status, fuzzing exit $fuzz_status"
  exit 1
fi
