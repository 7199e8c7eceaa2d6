// MongoDB-style (GrowthBook) conditions: condition.h CompileCondition.
//
// Input: "<condition>" or "<condition>\0<attributes>" or
// "<condition>\0<attributes>\0<saved groups>", each JSON read the way the wasm
// boundary reads them (ParseFast, wasm/condition_bindings.cpp). What compiles
// is evaluated on the fuzzed attributes and on a fixed object. Properties:
// nothing throws or aborts; a compiled condition evaluates to true or false.
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tagwise/condition.h"
#include "tagwise/rule.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

void CheckBoolean(const tagwise::Result<json>& r, const json& condition) {
  if (r.ok() && !r.value().is_boolean()) {
    fz::Fail("a condition evaluated to a non-boolean",
             "condition: " + fz::SafeDump(condition) + "\nvalue: " + fz::SafeDump(r.value()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::vector<std::string_view> parts = fz::SplitParts(bytes, size, 3);
  std::optional<json> condition = fz::ParseLikeBoundary(parts[0]);
  if (!condition) return 0;
  std::optional<json> attributes;
  if (!parts[1].empty()) attributes = fz::ParseLikeBoundary(parts[1]);
  std::optional<json> groups;
  if (!parts[2].empty()) groups = fz::ParseLikeBoundary(parts[2]);

  tagwise::ConditionOptions options;
  if (groups) options.saved_groups = &*groups;
  tagwise::CompileResult c = tagwise::CompileCondition(*condition, options);
  (void)tagwise::FormatIssues(c.issues);
  if (!c.ok()) return 0;
  tagwise::EvalContext ctx;
  ctx.options.max_steps = fz::kMaxSteps;
  CheckBoolean(c.rule->Evaluate(fz::FixedData(), ctx), *condition);
  if (attributes) CheckBoolean(c.rule->Evaluate(*attributes, ctx), *condition);
  (void)c.rule->Trace(fz::FixedData(), ctx);
  return 0;
}
