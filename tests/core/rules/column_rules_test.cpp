// The column evaluator (tagwise/rule_columns.h) against RuleBatch on the
// same records as JSON text: every covered operator, the JS coercions, null
// against missing fields, arrays, the step limit, and what it refuses.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/rule.h"
#include "tagwise/rule_batch.h"
#include "tagwise/rule_columns.h"

namespace tagwise {
namespace {

using nlohmann::json;

std::vector<std::shared_ptr<const Rule>> Compile(const json& rules) {
  std::vector<std::shared_ptr<const Rule>> out;
  for (const json& r : rules) {
    CompileResult c = CompileRule(r);
    EXPECT_TRUE(c.ok()) << r.dump();
    out.push_back(c.rule);
  }
  return out;
}

// Slot `i` of a batch as JSON (numbers as doubles, errors as {"error": code}).
json SlotValue(const RuleBatch& b, const json& table, size_t i) {
  switch (b.kinds()[i]) {
    case kKindFalse: return false;
    case kKindTrue: return true;
    case kKindNumber: return b.nums()[i];
    case kKindTable: case kKindPatched: return table[static_cast<size_t>(b.nums()[i])];
    case kKindError: return json{{"error", table[static_cast<size_t>(b.nums()[i])]["code"]}};
    default: return nullptr;
  }
}

bool SameValue(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    return (std::isnan(x) && std::isnan(y)) || (x == y && std::signbit(x) == std::signbit(y));
  }
  return a == b;
}

// Evaluates `rules` over `records` both ways and compares every slot of the
// records the columns hold; returns how many records were skipped.
size_t ExpectSameAsJson(const json& rules, const json& records, double max_steps = 0) {
  auto compiled = Compile(rules);
  auto columns = ColumnRules::Build(compiled);
  EXPECT_NE(columns, nullptr) << rules.dump();
  if (columns == nullptr) return 0;
  RuleBatch expected;
  expected.Evaluate(compiled, records.dump(), 1.7e12, "", max_steps);
  EXPECT_FALSE(expected.failed()) << expected.table();
  const json want_table = json::parse(expected.table());
  size_t skipped = 0;
  for (bool unique : {true, false}) {
    ColumnRecords e;
    e.Encode(*columns, records, unique);
    RuleBatch got;
    ColumnScratch scratch;
    columns->Evaluate(e.input(), 1.7e12, max_steps, &got, &scratch);
    EXPECT_FALSE(got.failed()) << got.table();
    EXPECT_EQ(got.records(), records.size());
    const json got_table = json::parse(got.table());
    skipped = 0;
    for (size_t r = 0; r < records.size(); ++r) {
      if (e.skipped()[r]) {
        ++skipped;
        continue;
      }
      for (size_t k = 0; k < rules.size(); ++k) {
        const size_t slot = r * rules.size() + k;
        const json want = SlotValue(expected, want_table, slot);
        const json have = SlotValue(got, got_table, slot);
        EXPECT_TRUE(SameValue(want, have)) << "rule " << rules[k].dump() << "\nrecord " << records[r].dump()
                                           << "\nunique ids: " << unique << "\nJSON path: " << want.dump()
                                           << "\ncolumns: " << have.dump();
      }
    }
  }
  return skipped;
}

TEST(ColumnRulesTest, GivesWhatTheJsonPathGivesAcrossOperatorsAndCoercions) {
  const json rules = json::parse(R"([
    {">=": [{"var": "age"}, 18]},
    {"and": [{">": [{"var": "spend"}, 1000]}, {"<": [{"var": "days"}, 30]}]},
    {"in": [{"var": "city"}, ["上海", "北京", "深圳"]]},
    {"==": [{"var": "gender"}, "女"]},
    {"or": [{"var": "vip"}, {">=": [{"var": "orders"}, 10]}]},
    {"<": [18, {"var": "age"}, 35]},
    {"<=": [1, {"var": "orders"}, 3]},
    {"*": [{"var": "spend"}, 0.05]},
    {"*": [{"var": "city"}]},
    {"+": [{"var": "orders"}, {"var": "coupons"}]},
    {"+": [{"var": "code"}]},
    {"if": [{">": [{"var": "spend"}, 5000]}, "钻石", {">": [{"var": "spend"}, 1000]}, "黄金", "普通"]},
    {"if": [{"var": "vip"}, "VIP"]},
    {"in": ["游戏", {"var": "tags"}]},
    {"in": [{"var": "city"}, "上海北京"]},
    {"in": [{"var": "orders"}, "123"]},
    {"in": [{"var": "tags"}, "游戏,图书"]},
    {"var": "profile.segment"},
    {"var": ["profile.missing", "默认"]},
    {"var": ["nothing", 7]},
    {"var": ["empty", 7]},
    {"var": "tags"},
    {"!": [{"var": "email"}]},
    {"!!": [{"var": "tags"}]},
    {"%": [{"var": "orders"}, 2]},
    {"-": [{"var": "cart"}, {"var": "coupons"}]},
    {"-": [{"var": "cart"}]},
    {"/": [{"var": "spend"}, {"+": [{"var": "orders"}, 1]}]},
    {"/": [{"var": "spend"}, 0]},
    {"max": [{"var": "orders"}, {"var": "coupons"}, 3]},
    {"min": [{"var": "age"}, 60, {"var": "code"}]},
    {"min": []},
    {"!=": [{"var": "profile.渠道"}, "抖音"]},
    {"in": ["@example.com", {"cat": ["", {"var": "email"}]}]},
    {"===": [{"var": "coupons"}, 0]},
    {"!==": [{"var": "code"}, "42"]},
    {"==": [{"var": "code"}, 42]},
    {"==": [{"var": "vip"}, 1]},
    {"==": [{"var": "tags"}, "游戏"]},
    {"==": [{"var": "tags"}, {"var": "tags"}]},
    {"==": [{"var": "tags"}, {"var": "tags2"}]},
    {"==": [{"var": "nothing"}, null]},
    {"==": [{"var": "empty"}]},
    {"<": [{"var": "city"}, {"var": "profile.segment"}]},
    {"<": [{"var": "tags"}, "游"]},
    {">": [{"var": "code"}, 9]},
    {">": [{"var": "code"}, "9"]},
    {"some": [{"var": "tags"}, {"in": [{"var": ""}, ["游戏", "数码"]]}]},
    {"all": [{"var": "tags"}, {"!=": [{"var": ""}, "学生"]}]},
    {"none": [{"var": "tags"}, {"==": [{"var": ""}, "运动"]}]},
    {"some": [{"var": "nums"}, {">": [{"var": ""}, 2]}]},
    {"all": [{"var": "city"}, true]},
    {"some": [{"var": "tags"}]},
    {"cat": [{"var": "city"}, "·", {"var": "level"}, {"var": "tags"}, {"var": "spend"}, {"var": "nothing"}]},
    {"substr": [{"var": "city"}, 0, 1]},
    {"substr": [{"var": "email"}, -4]},
    {"substr": [{"var": "email"}, 1, -3]},
    {"substr": [{"var": "spend"}, 1]},
    {"in": [{"var": "level"}, "青铜白银"]},
    {"if": [{"<": [{"var": "days"}, 30]}, "活跃", {"<": [{"var": "days"}, 180]}, "沉睡", "流失"]},
    {"or": [{">=": [{"var": "profile.score"}, 0.9]}, {"and": [{">=": [{"var": "profile.score"}, 0.5]}, {"var": "vip"}]}]},
    {"<": [{"now": []}, 0]},
    {"==": [{"var": "astral"}, "😀"]},
    {"<": [{"var": "astral"}, "\uffff"]}
  ])");
  const json records = json::parse(R"([
    {"age": 30, "spend": 2500.5, "days": 3, "city": "上海", "gender": "女", "vip": true, "orders": 12, "coupons": 2,
     "cart": 99.9, "code": "42", "tags": ["游戏", "数码"], "tags2": ["游戏", "数码"], "nums": [1, 3],
     "profile": {"segment": "活跃", "score": 0.95, "渠道": "抖音"}, "email": "a@example.com", "level": "黄金",
     "empty": null, "astral": "😀"},
    {"age": "17", "spend": "800", "days": 400, "city": "Singapore", "gender": "男", "vip": false, "orders": 0,
     "coupons": 0, "cart": "12abc", "code": "0x2a", "tags": [], "nums": [], "profile": {"segment": null},
     "level": "青铜", "astral": "\uffff"},
    {"age": null, "spend": -0.0, "city": "", "vip": 1, "orders": 3, "code": " 9 ", "tags": ["学生", null, 3, true],
     "profile": null, "email": "", "level": "白银"},
    {"age": 1e21, "spend": 1e-7, "city": "北京", "orders": 2.5, "code": true, "tags": "游戏", "profile": 5},
    {},
    {"profile": {"segment": {"nested": true}}},
    {"tags": [["nested"]]},
    {"city": "深圳", "profile": "text"},
    [1, 2],
    7
  ])");
  EXPECT_EQ(ExpectSameAsJson(rules, records), 5u);  // the last five: objects, nested arrays, strings on a path, not objects
}

TEST(ColumnRulesTest, StopsAtTheStepLimitAsTheJsonPathDoes) {
  const json rules = json::parse(R"([
    {"some": [{"var": "list"}, {"==": [{"var": ""}, 99]}]},
    {"and": [{"var": "a"}, {"var": "a"}, {"var": "a"}]}
  ])");
  const json records = json::parse(R"([{"list": [1, 2, 3, 4, 5, 6], "a": true}, {"list": [99], "a": 0}])");
  for (double limit : {1.0, 3.0, 4.0, 5.0, 8.0, 20.0}) ExpectSameAsJson(rules, records, limit);
}

// Issue 24: the rules of one record share one budget (3 rules x 4 records
// of costly rules took 97 s when each rule had its own): the rule that runs
// out gets evaluation_limit, the ones after it budget_exceeded, and the next
// record has its budget again. Both paths agree.
TEST(ColumnRulesTest, TheRulesOfOneRecordShareOneBudget) {
  const json some = json::parse(R"([
    {"some": [{"var": "list"}, {">": [{"+": [{"var": ""}, 1]}, 2000]}]},
    {"some": [{"var": "list"}, {">": [{"+": [{"var": ""}, 2]}, 2000]}]},
    {"some": [{"var": "list"}, {">": [{"+": [{"var": ""}, 3]}, 2000]}]}
  ])");
  json list = json::array();
  for (int i = 0; i < 1000; ++i) list.push_back(i);
  const json records = json::array({json{{"list", list}}, json{{"list", list}}});
  for (double limit : {100.0, 3000.0, 5000.0, 7000.0, 20000.0}) ExpectSameAsJson(some, records, limit);

  const json rules = json::parse(R"([
    {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, 0]},
    {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 1]}, 0]},
    {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 2]}, 0]}
  ])");
  auto compiled = Compile(rules);
  RuleBatch batch;
  batch.Evaluate(compiled, records.dump(), 1.7e12, "", 0);
  const json roomy = json::parse(batch.table());
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(SlotValue(batch, roomy, i), true) << i;
  batch.Evaluate(compiled, records.dump(), 1.7e12, "", 5000);  // each rule needs a few thousand steps
  ASSERT_FALSE(batch.failed()) << batch.table();
  const json table = json::parse(batch.table());
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(SlotValue(batch, table, r * 3), true) << r;
    EXPECT_EQ(SlotValue(batch, table, r * 3 + 1), (json{{"error", "budget_exceeded"}})) << r;
    EXPECT_EQ(SlotValue(batch, table, r * 3 + 2), (json{{"error", "budget_exceeded"}})) << r;
  }
  batch.Evaluate(compiled, records.dump(), 1.7e12, "", 500);
  const json tight = json::parse(batch.table());
  EXPECT_EQ(SlotValue(batch, tight, 0), (json{{"error", "evaluation_limit"}}));
  EXPECT_EQ(SlotValue(batch, tight, 1), (json{{"error", "budget_exceeded"}}));
  EXPECT_EQ(SlotValue(batch, tight, 3), (json{{"error", "evaluation_limit"}}));
}

// Bytes too: a record's rules share max_bytes of built values.
TEST(ColumnRulesTest, TheRulesOfOneRecordShareOneByteBudget) {
  auto compiled = Compile(json::parse(R"([
    {"map": [{"var": "list"}, {"cat": ["item ", {"var": ""}]}]},
    {"map": [{"var": "list"}, {"cat": ["item ", {"var": ""}]}]}
  ])"));
  json list = json::array();
  for (int i = 0; i < 1000; ++i) list.push_back(i);
  RuleBatch batch;
  batch.Evaluate(compiled, json::array({json{{"list", list}}}).dump(), 1.7e12, "", 0, 60'000);
  const json table = json::parse(batch.table());
  EXPECT_TRUE(SlotValue(batch, table, 0).is_array()) << SlotValue(batch, table, 0).dump().substr(0, 200);
  EXPECT_EQ(SlotValue(batch, table, 1), (json{{"error", "budget_exceeded"}}));
}

TEST(ColumnRulesTest, RefusesWhatItDoesNotCover) {
  for (const char* text : {R"({"var": ""})", R"({"var": {"cat": ["a", "b"]}})", R"({"missing": ["a"]})",
                           R"({"events": {"type": "view", "within": "7d"}})", R"({"some": [{"var": "l"}, {"var": "x"}]})",
                           R"({"map": [{"var": "l"}, {"var": ""}]})", R"({"==": [{"var": "a"}, {"preserve": {"x": 1}}]})",
                           R"({"max": {"val": "list"}})"}) {
    auto compiled = Compile(json::array({json::parse(text)}));
    if (compiled[0] == nullptr) continue;
    EXPECT_EQ(ColumnRules::Build(compiled), nullptr) << text;
  }
}

TEST(ColumnRulesTest, MalformedColumnsFailTheBatchInsteadOfReadingOutOfBounds) {
  auto compiled = Compile(json::parse(R"([{"==": [{"var": "a"}, "x"]}])"));
  auto columns = ColumnRules::Build(compiled);
  ASSERT_NE(columns, nullptr);
  ASSERT_EQ(columns->paths(), std::vector<std::string>{"a"});
  ASSERT_EQ(columns->strings(), std::vector<std::string>{"x"});
  uint8_t kinds[] = {kColString};
  double values[] = {5};  // string id 5: there is one string
  ColumnInput in;
  in.records = 1;
  in.columns = 1;
  in.kinds = kinds;
  in.values = values;
  RuleBatch out;
  ColumnScratch scratch;
  columns->Evaluate(in, 0, 0, &out, &scratch);
  EXPECT_TRUE(out.failed());
  values[0] = 0;
  columns->Evaluate(in, 0, 0, &out, &scratch);
  ASSERT_FALSE(out.failed());
  EXPECT_EQ(out.kinds()[0], kKindTrue);
  in.columns = 2;
  columns->Evaluate(in, 0, 0, &out, &scratch);
  EXPECT_TRUE(out.failed());
  // A batch string that would end past the text sent, and a list whose
  // element is out of range.
  in.columns = 1;
  const uint32_t offsets[] = {0, 9};
  in.strings = 1;
  in.offsets = offsets;
  in.blob = "short";
  in.blob_size = 5;
  columns->Evaluate(in, 0, 0, &out, &scratch);
  EXPECT_TRUE(out.failed());
  in.strings = 0;
  const double pool[] = {1, 250, 0};
  kinds[0] = kColArray;
  in.pool = pool;
  in.pool_size = 3;
  columns->Evaluate(in, 0, 0, &out, &scratch);
  EXPECT_TRUE(out.failed());
}

}  // namespace
}  // namespace tagwise
