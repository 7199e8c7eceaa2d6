// embind registration of the rule engine (rule_binding.h) for the full and
// Node modules; the page runtime exports the same calls through its C ABI
// (page_abi.cpp) instead.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include "rule_binding.h"

#ifndef TAGWISE_NO_COLUMNS
// A column batch's call without embind's invoker in between (~100 ns of a
// one-record evaluate): js/rules.js passes RuleSet.address().
extern "C" EMSCRIPTEN_KEEPALIVE uintptr_t tagwise_rules_evaluate_columns(uintptr_t set, uintptr_t desc, double now,
                                                                         double max_steps) {
  return reinterpret_cast<tagwise::wasm::RuleSet*>(set)->EvaluateColumns(desc, now, max_steps);
}
#endif

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
      .function("address", &RuleSet::Address)
#endif
      ;
  emscripten::function("validate", &Validate);
#ifndef TAGWISE_PAGE_RUNTIME
  emscripten::function("parseText", &ParseText);
  emscripten::function("formatText", &FormatText);
#endif
  emscripten::function("errorCodes", &ErrorCodes);
}
