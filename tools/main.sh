#!/usr/bin/env bash
# The README's main command: installs what is needed, builds the WebAssembly
# module and runs the examples (tag rules evaluated on sample users, as a table;
# recommendations from a hint file built by `tagwise hints`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh wasm-module
node demo/example.mjs
node demo/recommend_example.mjs
