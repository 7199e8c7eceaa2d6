// Rule JSON compile (rule.h CompileRuleText / CompileRule), evaluation and
// trace, and the JSON -> text -> JSON round trip of rule_text.h.
//
// Input: "<rule JSON>" or "<rule JSON>\0<data JSON>". The rule goes through
// CompileRuleText (the core's own text entry) and, read like the wasm boundary
// reads rules (ParseJson, 1,000 levels), through CompileRule with and without
// a known-tag list. What compiles is evaluated on a fixed record and profile,
// on the fuzzed record (read like the boundary reads records: ParseFast), and
// traced. Properties: nothing throws or aborts,
// ParseRuleText(FormatRule(r)) == r whenever FormatRule accepts r, and a
// rule with a column form (rule_columns.h) gives on the fixed and the fuzzed
// record, through cells, exactly what RuleBatch gives on their JSON text.
#include <string>
#include <vector>

#include <cmath>
#include <cstring>
#include <memory>

#include "fuzz_support.h"
#include "tagwise/rule.h"
#include "tagwise/rule_batch.h"
#include "tagwise/rule_columns.h"
#include "tagwise/rule_text.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

// Integers JS cannot hold exactly print differently once they are doubles
// (JS data never has them: JSON.stringify writes what a double holds).
bool HasWideIntegers(const json& j) {
  if (j.is_number_integer()) return std::fabs(j.get<double>()) > 9007199254740992.0;
  if (j.is_array() || j.is_object()) {
    for (const json& e : j) {
      if (HasWideIntegers(e)) return true;
    }
  }
  return false;
}

// The result tables as JS reads them: parsed, numbers compared by value.
bool SameTable(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const json ja = json::parse(a, nullptr, false);
  const json jb = json::parse(b, nullptr, false);
  return !ja.is_discarded() && !jb.is_discarded() && ja == jb;
}

// The rule through cells against RuleBatch on the record's JSON text.
void CompareColumns(const std::shared_ptr<const tagwise::Rule>& rule, const json& record) {
  const std::vector<std::shared_ptr<const tagwise::Rule>> rules = {rule};
  std::unique_ptr<tagwise::ColumnRules> columns = tagwise::ColumnRules::Build(rules);
  if (columns == nullptr || HasWideIntegers(record)) return;
  const json records = json::array({record});
  std::string text;
  try {
    text = records.dump();  // throws on bytes that are not UTF-8: nothing to compare against
  } catch (const json::exception&) {
    return;
  }
  for (bool unique : {true, false}) {
    tagwise::ColumnRecords cells;
    cells.Encode(*columns, records, unique);
    if (cells.skipped()[0]) return;
    tagwise::RuleBatch want, got;
    tagwise::ColumnScratch scratch;
    want.Evaluate(rules, text, static_cast<double>(fz::kNow), "", static_cast<double>(fz::kMaxSteps));
    columns->Evaluate(cells.input(), static_cast<double>(fz::kNow), static_cast<double>(fz::kMaxSteps), &got, &scratch);
    // Compared as values: 231570.0 and 231570 are one number to JSON.parse.
    const bool same_kinds = want.kinds() == got.kinds() && SameTable(want.table(), got.table());
    const double a = want.nums().empty() ? 0 : want.nums()[0];
    const double b = got.nums().empty() ? 0 : got.nums()[0];
    const bool same_num = (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
    if (!same_kinds || want.failed() != got.failed() || !same_num) {
      fz::Fail("the column evaluator differs from RuleBatch",
               "rule:   " + fz::SafeDump(rule->source()) + "\nrecord: " + text + "\nJSON path: " + want.table() +
                   " num " + std::to_string(a) + "\ncolumns:   " + got.table() + " num " + std::to_string(b));
    }
  }
}

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
  CompareColumns(c.rule, fz::FixedData());
  if (data != nullptr) CompareColumns(c.rule, *data);
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
