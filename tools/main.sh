#!/usr/bin/env bash
# The README's main command: installs what is needed, builds the WebAssembly
# module and runs the example (tag rules evaluated on sample users, as a table).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh wasm-module
node demo/example.mjs
