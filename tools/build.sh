#!/usr/bin/env bash
# Builds tagwise. Usage: tools/build.sh [native|sanitize|wasm|wasm-module|all]   (default: all)
#   native: build-native/  core library, GoogleTest suite, Google Benchmark programs (-O3)
#   sanitize: build-sanitize/ (or $SANITIZE_BUILD_DIR) the same with clang -O1, ASan +
#                          UBSan, plus the libFuzzer targets (fuzz/) on the same
#                          instrumented core; what tools/test.sh and tools/fuzz.sh run
#   wasm:   build-wasm/    the embind module (js/dist/tagwise_wasm.{mjs,wasm}, plus
#                          js/dist/tagwise_wasm_inline.js: the .wasm inlined as base64) and the
#                          core GoogleTest suite compiled to wasm (run by node under ctest)
#   wasm-module:           only the embind modules: the page runtime js/dist/tagwise_page.{mjs,wasm},
#                          the full module (and its inlined copy)
#                          and the CLI module js/dist/tagwise_tools.{mjs,wasm} (hints, eval)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=$(nproc 2>/dev/null || echo 2)
# Debian's emcc needs Debian's acorn module for its JS optimizer (TOOLCHAIN.md §2).
export NODE_PATH=/usr/share/nodejs

t0=$SECONDS
if [[ $what == native || $what == all ]]; then
  cmake -S . -B build-native -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-native -j"$jobs"
  echo "build: native in $((SECONDS - t0)) s"
fi
if [[ $what == sanitize ]]; then
  dir=${SANITIZE_BUILD_DIR:-build-sanitize}
  # -O1 with line tables: the usual sanitizer/fuzzer trade-off between speed
  # and readable stacks (full -g doubles the build time).
  CXX=${CXX:-clang++} cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DTAGWISE_FUZZ=ON >/dev/null
  cmake --build "$dir" -j"${SANITIZE_JOBS:-$jobs}"
  echo "build: sanitize in $((SECONDS - t0)) s"
fi
if [[ $what == wasm || $what == wasm-module || $what == all ]]; then
  t0=$SECONDS
  tests=ON
  [[ $what == wasm-module ]] && tests=OFF
  # Plain `node` as the emulator: emcmake's default adds a flag Node 20 rejects.
  emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release -DCMAKE_CROSSCOMPILING_EMULATOR=node \
    -DTAGWISE_WASM_TESTS=$tests >/dev/null
  if [[ $tests == ON ]]; then
    cmake --build build-wasm -j"$jobs"
  else
    cmake --build build-wasm -j"$jobs" --target tagwise_wasm tagwise_page_wasm tagwise_features_wasm tagwise_tools_wasm
  fi
  # The same .wasm as base64 in an ES module: the package's "tagwise/wasm-inline" export.
  node tools/gen_inline_wasm.mjs
  echo "build: wasm ($what) in $((SECONDS - t0)) s"
fi
