#!/usr/bin/env bash
# Runs every tagwise test (the README's test command; .ci/run calls it):
#   1. native GoogleTest suite (ctest)            3. node --test for the npm package
#   2. the same core suite compiled to wasm (ctest under node)
#   4. headless Chromium: the package in a real page, the demo shop and console
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
stage() { echo "== [$(( (SECONDS - start) / 60 ))m$(( (SECONDS - start) % 60 ))s] $*"; }
stage "setup"
bash tools/setup.sh
stage "build"
bash tools/build.sh all
# The demo's data (products, hint file, customer sample) once, before the
# browser tests that start the demo server in parallel processes.
node demo/data/build.mjs

stage "native core tests (ctest)"
(cd build-native && ctest --output-on-failure -j2)
stage "core tests compiled to wasm, run by node (ctest)"
(cd build-wasm && ctest --output-on-failure -j2)
stage "npm package tests (node --test) and the browser tests (Chromium)"
node --test --test-concurrency=1 tests/js/ tests/browser/
stage "done"
