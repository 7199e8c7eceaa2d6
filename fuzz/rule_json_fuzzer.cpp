// Rule JSON compile (rule.h CompileRuleText / CompileRule), evaluation and
// trace, and the JSON -> text -> JSON round trip of rule_text.h.
//
// Input: "<rule JSON>" or "<rule JSON>\0<data JSON>". The rule goes through
// CompileRuleText (the core's own text entry) and, read like the wasm boundary
// reads rules (ParseJson, 1,000 levels), through CompileRule with and without
// a known-tag list. What compiles is evaluated on a fixed record and profile,
// on the fuzzed record (read like the boundary reads records: ParseFast), and
// traced. Properties: nothing throws or aborts, and
// ParseRuleText(FormatRule(r)) == r whenever FormatRule accepts r.
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tagwise/rule.h"
#include "tagwise/rule_text.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

void Exercise(const tagwise::CompileResult& c, const json* data) {
  (void)tagwise::FormatIssues(c.issues);
  if (!c.ok()) return;
  const tagwise::EvalContext ctx = fz::FixedContext();
  tagwise::Result<json> v = c.rule->Evaluate(fz::FixedData(), ctx);
  if (v.ok()) (void)tagwise::IsTruthy(v.value());
  (void)c.rule->Evaluate(json(), fz::FixedContext(nullptr));
  if (data != nullptr) (void)c.rule->Evaluate(*data, ctx);
  (void)c.rule->Trace(fz::FixedData(), ctx);
  (void)c.rule->referenced_tags();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::vector<std::string_view> parts = fz::SplitParts(bytes, size, 2);
  std::optional<json> data;
  if (!parts[1].empty()) data = fz::ParseLikeBoundary(parts[1]);

  tagwise::CompileResult from_text = tagwise::CompileRuleText(parts[0]);
  Exercise(from_text, data ? &*data : nullptr);

  std::optional<json> rule = fz::ParseStrict(parts[0]);
  if (!rule) return 0;
  static const std::vector<std::string> kKnown = {"vip", "active", "高价值"};
  tagwise::CompileOptions with_tags;
  with_tags.known_tags = &kKnown;
  Exercise(tagwise::CompileRule(*rule, with_tags), data ? &*data : nullptr);

  tagwise::Result<std::string> text = tagwise::FormatRule(*rule);
  if (text.ok()) {
    tagwise::Result<json> back = tagwise::ParseRuleText(text.value());
    if (!back.ok()) {
      fz::Fail("FormatRule output does not parse", text.value() + "\n" + back.error().path + ": " + back.error().message);
    }
    if (!fz::StrictEqual(back.value(), *rule)) {
      fz::Fail("ParseRuleText(FormatRule(r)) != r",
               "r:    " + fz::SafeDump(*rule) + "\ntext: " + text.value() + "\nback: " + fz::SafeDump(back.value()));
    }
  }
  return 0;
}
