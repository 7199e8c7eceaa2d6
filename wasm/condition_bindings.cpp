// MongoDB-style targeting conditions (GrowthBook syntax) across the wasm
// boundary: tw.evaluateCondition and tw.validateCondition (js/conditions.js;
// core/include/tagwise/condition.h). Conversion only. Text arrives as UTF-8
// the JS side wrote into _malloc'd buffers, passed as (ptr, len) like every
// JSON input (rule_bindings.cpp); each answer is one JSON text, never a throw:
//   evaluateCondition (malformed parts evaluated as GrowthBook does, each
//   problem a warning; where GrowthBook throws, the condition does not match):
//     {"ok": true, "value": true|false, "warnings": [{code, path, message, severity}...]}
//     {"ok": false, "errors": [...], "warnings": [...]}   (input that is not JSON)
//   validateCondition (strict): {"ok": true, "problems": [...errors and warnings...]}
#include <emscripten/bind.h>

#include <cstdint>
#include <optional>
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

// The parsed inputs of one call; `error` set when one is not JSON.
struct Inputs {
  json condition;
  json attributes;
  json groups;
  bool has_groups = false;
  std::optional<Error> error;
};

Inputs Read(uintptr_t cond_ptr, size_t cond_len, uintptr_t attr_ptr, size_t attr_len, uintptr_t groups_ptr,
            size_t groups_len) {
  Inputs in;
  Result<json> condition = ParseFast(View(cond_ptr, cond_len), "condition", 0, OnBadAlloc::kReport);
  if (!condition.ok()) {
    in.error = condition.error();
    return in;
  }
  in.condition = std::move(condition).value();
  if (attr_len > 0) {
    Result<json> attributes = ParseFast(View(attr_ptr, attr_len), "attributes", 0, OnBadAlloc::kReport);
    if (!attributes.ok()) {
      in.error = attributes.error();
      return in;
    }
    in.attributes = std::move(attributes).value();
  }
  if (groups_len > 0) {  // 0: no saved groups
    Result<json> parsed = ParseFast(View(groups_ptr, groups_len), "saved groups", 0, OnBadAlloc::kReport);
    if (!parsed.ok()) {
      in.error = parsed.error();
      return in;
    }
    in.groups = std::move(parsed).value();
    in.has_groups = true;
  }
  return in;
}

// validateCondition's answer: {"ok": true, "problems"}.
std::string ProblemsAnswer(const std::vector<Error>& problems) {
  return ObjectText().Add("ok", true).AddText("problems", ProblemsText(problems)).Close();
}

// Compiles the condition (saved groups resolved into it) the way GrowthBook
// reads it and evaluates it on the attributes.
std::string EvaluateCondition(uintptr_t cond_ptr, size_t cond_len, uintptr_t attr_ptr, size_t attr_len,
                              uintptr_t groups_ptr, size_t groups_len) {
  return Guard([&]() -> std::string {
    Inputs in = Read(cond_ptr, cond_len, attr_ptr, attr_len, groups_ptr, groups_len);
    if (in.error) return FailureText({*in.error});
    ConditionOptions options;
    options.malformed = MalformedCondition::kLikeGrowthBook;
    if (in.has_groups) options.saved_groups = &in.groups;
    // GrowthBook reads keys in the payload's order (JSON.stringify kept it).
    JsonKeyOrder order = KeyOrderFromText(in.condition, View(cond_ptr, cond_len));
    if (in.has_groups) order.merge(KeyOrderFromText(in.groups, View(groups_ptr, groups_len)));
    options.key_order = &order;
    CompileResult compiled = CompileCondition(in.condition, options);
    std::vector<Error> warnings = compiled.issues;  // all warnings in this mode
    bool value = false;
    if (compiled.ok()) {
      Result<json> r = compiled.rule->Evaluate(in.attributes, EvalContext{});
      if (r.ok()) {
        value = r.value().is_boolean() && r.value().get<bool>();
      } else if (r.error().code != ErrorCode::kThrown) {  // kThrown: a malformed part already listed
        Error e = r.error();
        e.message += " (the condition does not match)";
        e.severity = Severity::kWarning;
        warnings.push_back(std::move(e));
      }
    }
    return ObjectText().Add("ok", true).Add("value", value).AddText("warnings", ProblemsText(warnings)).Close();
  });
}

// Every problem of a condition, strictly: malformed parts are errors.
std::string ValidateCondition(uintptr_t cond_ptr, size_t cond_len, uintptr_t groups_ptr, size_t groups_len) {
  return Guard([&]() -> std::string {
    Inputs in = Read(cond_ptr, cond_len, 0, 0, groups_ptr, groups_len);
    if (in.error) return ProblemsAnswer({*in.error});
    ConditionOptions options;
    if (in.has_groups) options.saved_groups = &in.groups;
    CompileResult compiled = CompileCondition(in.condition, options);
    return ProblemsAnswer(compiled.issues);
  });
}

}  // namespace
}  // namespace tagwise::wasm

EMSCRIPTEN_BINDINGS(tagwise_conditions) {
  emscripten::function("evaluateCondition", &tagwise::wasm::EvaluateCondition);
  emscripten::function("validateCondition", &tagwise::wasm::ValidateCondition);
}
