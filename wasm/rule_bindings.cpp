// embind registration of the rule engine (rule_binding.h) for the full and
// Node modules; the page runtime exports the same calls through its C ABI
// (page_abi.cpp) instead.
#include <emscripten/bind.h>

#include "rule_binding.h"

EMSCRIPTEN_BINDINGS(tagwise_rules) {
  using namespace tagwise::wasm;
  emscripten::class_<RuleSet>("RuleSet")
      .constructor<>()
      .function("compile", &RuleSet::Compile)
      .function("size", &RuleSet::Size)
      .function("source", &RuleSet::Source)
      .function("evaluate", &RuleSet::Evaluate)
#ifndef TAGWISE_NO_COLUMNS
      .function("columns", &RuleSet::Columns)
      .function("evaluateColumns", &RuleSet::EvaluateColumns)
#endif
      ;
  emscripten::function("validate", &Validate);
#ifndef TAGWISE_PAGE_RUNTIME
  emscripten::function("parseText", &ParseText);
  emscripten::function("formatText", &FormatText);
#endif
  emscripten::function("errorCodes", &ErrorCodes);
}
