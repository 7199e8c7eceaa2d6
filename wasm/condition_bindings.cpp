// MongoDB-style targeting conditions (GrowthBook syntax) across the wasm
// boundary: tw.evaluateCondition (js/conditions.js; core/include/tagwise/condition.h).
// Conversion only. Text arrives as UTF-8 the JS side wrote into _malloc'd
// buffers, passed as (ptr, len) like every JSON input (rule_bindings.cpp);
// the answer is one JSON text:
//   {"ok": true, "value": true|false, "warnings": [...]}
//   {"ok": false, "errors": [{code, path, message, severity}...], "warnings": [...]}
#include <emscripten/bind.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/json_text.h"
#include "results.h"
#include "tagwise/condition.h"
#include "tagwise/error.h"
#include "tagwise/rule.h"

namespace tagwise::wasm {
namespace {

using nlohmann::json;

// Compiles the condition (saved groups resolved into it) and evaluates it on
// the attributes. groups_len 0 means no saved groups.
std::string EvaluateCondition(uintptr_t cond_ptr, size_t cond_len, uintptr_t attr_ptr, size_t attr_len,
                              uintptr_t groups_ptr, size_t groups_len) {
  return Guard([&]() -> std::string {
    Result<json> condition = ParseFast(View(cond_ptr, cond_len), "condition", 0, OnBadAlloc::kReport);
    if (!condition.ok()) return FailureText({condition.error()});
    Result<json> attributes = ParseFast(View(attr_ptr, attr_len), "attributes", 0, OnBadAlloc::kReport);
    if (!attributes.ok()) return FailureText({attributes.error()});
    json groups;
    ConditionOptions options;
    if (groups_len > 0) {
      Result<json> parsed = ParseFast(View(groups_ptr, groups_len), "saved groups", 0, OnBadAlloc::kReport);
      if (!parsed.ok()) return FailureText({parsed.error()});
      groups = std::move(parsed).value();
      options.saved_groups = &groups;
    }
    CompileResult compiled = CompileCondition(condition.value(), options);
    std::vector<Error> errors;
    std::vector<Error> warnings;
    for (const Error& e : compiled.issues) (e.severity == Severity::kError ? errors : warnings).push_back(e);
    if (!compiled.ok()) return FailureText(errors, warnings);
    Result<json> value = compiled.rule->Evaluate(attributes.value(), EvalContext{});
    if (!value.ok()) return FailureText({value.error()}, warnings);
    return Dump({{"ok", true}, {"value", value.value().is_boolean() && value.value().get<bool>()},
                 {"warnings", ProblemsJson(warnings)}});
  });
}

}  // namespace
}  // namespace tagwise::wasm

EMSCRIPTEN_BINDINGS(tagwise_conditions) {
  emscripten::function("evaluateCondition", &tagwise::wasm::EvaluateCondition);
}
