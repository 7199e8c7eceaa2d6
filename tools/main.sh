#!/usr/bin/env bash
# The README's main command: installs what is needed, builds the WebAssembly
# module and the demo's data (from ../shared/data/online-retail/), then starts
# the demo shop and operator console on http://127.0.0.1:${PORT:-8080}/ and
# prints the URL. Ctrl+C stops it. (The package's console examples, without a
# browser: node demo/example.mjs; node demo/recommend_example.mjs.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh wasm-module
node demo/data/build.mjs
exec npm run --silent demo
