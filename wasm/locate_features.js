// --pre-js of the full module's browser glue, tagwise_features (CMakeLists.txt): the .wasm's default
// URL, written as the literal `new URL("<file>", import.meta.url)` that
// bundlers rewrite to the asset they emit (Vite, webpack; esbuild keeps it,
// so the .wasm goes next to the bundle). js/load.js fetches the module itself
// (to report failures with codes) and calls this when no wasmUrl is given: the
// glue's own copy of the expression is skipped once a locateFile hook exists.
// A function, so bundles without import.meta that pass a URL never run it.
// EMSCRIPTEN$IMPORT$META is how emcc 3.1.6 spells import.meta while its JS
// optimizer runs (it cannot parse import.meta); emcc writes it back at the end.
Module["tagwiseWasmUrl"] = function () {
  return new URL("tagwise_features.wasm", EMSCRIPTEN$IMPORT$META.url).href;
};
