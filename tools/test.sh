#!/usr/bin/env bash
# Runs every tagwise test (the README's test command; .ci/run calls it):
#   1. native GoogleTest suite (ctest)            3. node --test for the npm package
#   2. the same core suite compiled to wasm (ctest under node)
#   4. headless Chromium: the package in a real page
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh all

echo "== native core tests (ctest)"
(cd build-native && ctest --output-on-failure -j2)
echo "== core tests compiled to wasm, run by node (ctest)"
(cd build-wasm && ctest --output-on-failure -j2)
echo "== npm package tests (node --test) and the browser test (Chromium)"
node --test --test-concurrency=1 tests/js/ tests/browser/
