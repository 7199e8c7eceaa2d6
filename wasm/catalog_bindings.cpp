// embind registration of the catalog tools (catalog_binding.h) for the full
// and Node modules; the page runtime exports the same calls through its C ABI
// (page_abi.cpp) instead.
#include <emscripten/bind.h>

#include "catalog_binding.h"

EMSCRIPTEN_BINDINGS(tagwise_catalog) {
  using namespace tagwise::wasm;
#ifndef TAGWISE_PAGE_RUNTIME
  emscripten::function("lintCatalog", &Lint);
#endif
  emscripten::function("decodeStore", &DecodeStoreJson);
  emscripten::function("consentPurposes", &ConsentPurposes);
  emscripten::function("decisionSources", &DecisionSources);
#ifndef TAGWISE_PAGE_RUNTIME
  emscripten::function("lintCodes", &LintCodes);
#endif
}
