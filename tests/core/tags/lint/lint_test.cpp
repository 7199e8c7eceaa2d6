// Catalog lint: one test per check, asserting code + path + tag id (messages
// are compared only in the formatter test).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/js_value.h"
#include "tagwise/catalog.h"
#include "tagwise/lint.h"
#include "tagwise/profile.h"
#include "tagwise/rule.h"

namespace tagwise {
namespace {

using nlohmann::json;

// The findings with `code`, as "path|tag_id" strings (easy to compare and print).
std::vector<std::string> Where(const LintReport& r, const std::string& code) {
  std::vector<std::string> out;
  for (const LintFinding& f : r.findings) {
    if (f.code == code) out.push_back(f.path + "|" + f.tag_id);
  }
  return out;
}

const LintFinding* Find(const LintReport& r, const std::string& code) {
  for (const LintFinding& f : r.findings) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

// A catalog of tags given as a JSON array text, with the lifecycle group.
json CatalogWith(const std::string& tags) {
  return json::parse(R"({"tagwise": 1,
    "groups": [{"id": "lifecycle", "name": "生命周期", "exclusive": true},
               {"id": "value_tier", "name": "价值等级", "exclusive": true}],
    "tags": )" + tags + "}");
}

// Lints one tag whose `when` is `rule` (groups unused otherwise: no group findings wanted).
LintReport LintRule(const std::string& rule) {
  return LintCatalog(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "t", "name": "测试标签", "when": )" + rule + "}]}"));
}

using Strings = std::vector<std::string>;

TEST(LintTest, CleanCatalogHasNoFindings) {
  json catalog = CatalogWith(R"([
    {"id": "high_value", "name": "高价值", "dimension": "value", "group": "value_tier", "priority": 2,
     "when": {">=": [{"events": [{"type": "order_paid", "within": "90d", "agg": "sum", "field": "amount"}]}, 1000]}},
    {"id": "high_value_games", "name": "高价值-游戏", "dimension": "preference", "parent": "high_value_fans",
     "when": {"and": [{"tag": ["high_value"]},
                      {">=": [{"events": [{"type": "order_paid", "where": {"==": [{"var": "category"}, "game"]}}]}, 3]}]}},
    {"id": "high_value_fans", "name": "高价值粉丝", "dimension": "preference"},
    {"id": "low_value", "name": "低价值", "dimension": "value", "group": "value_tier", "priority": 1,
     "when": {"<": [{"events": [{"type": "order_paid", "within": "90d", "agg": "sum", "field": "amount"}]}, 100]}},
    {"id": "new_user", "name": "新用户", "dimension": "lifecycle", "group": "lifecycle", "priority": 2,
     "when": {"<=": [{"days_since": [{"var": "signup_at"}]}, 30]}},
    {"id": "old_user", "name": "老用户", "dimension": "lifecycle", "group": "lifecycle", "priority": 1,
     "when": {">": [{"days_since": [{"var": "signup_at"}]}, 30]}},
    {"id": "adult", "name": "成年人", "dimension": "basic", "core": true, "when": {"<=": [18, {"var": "age"}, 120]}},
    {"id": "churn_risk", "name": "流失风险", "dimension": "risk", "source": "server", "ttl": "7d", "purpose": "security"}
  ])");
  ASSERT_TRUE(Catalog::Load(catalog).ok());
  LintReport r = LintCatalog(catalog);
  EXPECT_TRUE(r.findings.empty()) << FormatFindings(r.findings);
  EXPECT_FALSE(r.has_errors());
  EXPECT_TRUE(r.coverage.empty());
}

// ---- structure --------------------------------------------------------------

TEST(LintTest, ReportsLoopOfTagReferencesAtTheFirstTagsReference) {
  json catalog = CatalogWith(R"([
    {"id": "a", "name": "甲", "when": {"and": [{">": [{"var": "x"}, 1]}, {"tag": ["b"]}]}},
    {"id": "b", "name": "乙", "when": {"tag_value": ["a"]}}])");
  EXPECT_FALSE(Catalog::Load(catalog).ok());
  LintReport r = LintCatalog(catalog);
  EXPECT_EQ(Where(r, "cycle"), Strings{"/tags/0/when/and/1/tag/0|a"}) << FormatFindings(r.findings);
  EXPECT_TRUE(r.has_errors());
}

TEST(LintTest, ReportsTagThatReadsItself) {
  LintReport r = LintRule(R"({"!": {"tag": ["t"]}})");
  EXPECT_EQ(Where(r, "cycle"), Strings{"/tags/0/when/!/tag/0|t"}) << FormatFindings(r.findings);
}

TEST(LintTest, ReportsLoopOfParents) {
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "a", "name": "甲", "parent": "c", "when": true},
    {"id": "b", "name": "乙", "parent": "a"},
    {"id": "c", "name": "丙", "parent": "b"}])"));
  EXPECT_EQ(Where(r, "cycle"), Strings{"/tags/0/parent|a"}) << FormatFindings(r.findings);
}

TEST(LintTest, ReportsLoopThroughExclusiveGroup) {
  // 老用户 reads 新用户's final state, which needs the group resolved, which needs 老用户.
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "new_user", "name": "新用户", "group": "lifecycle", "priority": 2, "when": {"<": [{"var": "days"}, 7]}},
    {"id": "old_user", "name": "老用户", "group": "lifecycle", "priority": 1, "when": {"!": {"tag": ["new_user"]}}}])"));
  EXPECT_EQ(Where(r, "cycle"), Strings{"/tags/1/when/!/tag/0|old_user"}) << FormatFindings(r.findings);
}

TEST(LintTest, ReportsSelfParent) {
  LintReport r = LintCatalog(CatalogWith(R"([{"id": "vip", "name": "会员", "parent": "vip", "when": true}])"));
  EXPECT_EQ(Where(r, "self_parent"), Strings{"/tags/0/parent|vip"}) << FormatFindings(r.findings);
  EXPECT_TRUE(Where(r, "cycle").empty());
}

TEST(LintTest, ReportsUnknownParentAndGroupEvenWhenRulesAlsoFail) {
  // Catalog::Load stops at the rule error; lint still checks parents and groups.
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "games", "name": "游戏爱好者", "parent": "gamer_fans", "group": "lifecyle", "when": {"evnets": ["x"]}}])"));
  EXPECT_EQ(Where(r, "unknown_parent"), Strings{"/tags/0/parent|games"}) << FormatFindings(r.findings);
  EXPECT_EQ(Where(r, "unknown_group"), Strings{"/tags/0/group|games"});
  EXPECT_EQ(Where(r, "unknown_operator"), Strings{"/tags/0/when/evnets|games"});
}

TEST(LintTest, ReportsUnknownTagReferenceWithItsPath) {
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "vip", "name": "会员", "when": true},
    {"id": "vip_games", "name": "会员-游戏", "when": {"and": [{">": [{"var": "x"}, 1]}, {"tag": ["vipp"]}]},
     "value": {"tag_value": "ghost"}}])"));
  EXPECT_EQ(Where(r, "unknown_tag_reference"),
            (Strings{"/tags/1/when/and/1/tag/0|vip_games", "/tags/1/value/tag_value|vip_games"}))
      << FormatFindings(r.findings);
  // Load's own unknown_tag error is not repeated under its generic code.
  EXPECT_TRUE(Where(r, "unknown_tag").empty());
}

TEST(LintTest, ReportsDuplicateTagAndGroupIds) {
  LintReport r = LintCatalog(json::parse(R"({"tagwise": 1,
    "groups": [{"id": "g", "name": "组"}, {"id": "g", "name": "组二"}],
    "tags": [{"id": "vip", "name": "会员", "when": true, "group": "g"}, {"id": "vip", "name": "会员二", "when": true}]})"));
  EXPECT_EQ(Where(r, "duplicate_id"), (Strings{"/groups/1/id|", "/tags/1/id|vip"})) << FormatFindings(r.findings);
}

TEST(LintTest, ReportsExclusiveMembersWhereOneIsTheOthersAncestor) {
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "high_value", "name": "高价值", "group": "value_tier", "priority": 2, "when": {">": [{"var": "spend"}, 1000]}},
    {"id": "high_value_games", "name": "高价值-游戏", "group": "value_tier", "priority": 1, "parent": "high_value",
     "when": {">": [{"var": "game_spend"}, 500]}}])"));
  EXPECT_EQ(Where(r, "exclusive_ancestor"), Strings{"/tags/1/group|high_value_games"}) << FormatFindings(r.findings);
  EXPECT_TRUE(Where(r, "cycle").empty()) << "the loop is explained once, by exclusive_ancestor";
}

TEST(LintTest, WarnsAboutSamePriorityMembersOfAnExclusiveGroup) {
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "active", "name": "活跃用户", "group": "lifecycle", "when": {">=": [{"events": "login"}, 3]}},
    {"id": "paying", "name": "付费用户", "group": "lifecycle", "when": {">=": [{"events": "order_paid"}, 1]}},
    {"id": "lost", "name": "流失用户", "group": "lifecycle", "priority": 5, "when": {"<": [{"events": "login"}, 1]}}])"));
  EXPECT_EQ(Where(r, "same_priority_exclusive"), Strings{"/tags/1|paying"}) << FormatFindings(r.findings);
}

TEST(LintTest, SamePriorityIsFineWhenTheRulesCannotBothHold) {
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "new_user", "name": "新用户", "group": "lifecycle", "priority": 0, "when": {"<=": [{"days_since": [{"var": "signup_at"}]}, 30]}},
    {"id": "old_user", "name": "老用户", "group": "lifecycle", "priority": 0, "when": {">": [{"days_since": [{"var": "signup_at"}]}, 30]}}])"));
  EXPECT_TRUE(Where(r, "same_priority_exclusive").empty()) << FormatFindings(r.findings);
}

TEST(LintTest, WarnsAboutTooManyCoreTags) {
  std::string tags = "[";
  for (int i = 0; i < 4; ++i) {
    tags += std::string(i ? "," : "") + R"({"id": "core)" + std::to_string(i) + R"(", "name": "核心)" +
            std::to_string(i) + R"(", "core": true, "when": {">": [{"var": "x"}, )" + std::to_string(i) + "]}}";
  }
  tags += "]";
  LintOptions options;
  options.max_core_tags = 3;
  LintReport r = LintCatalog(CatalogWith(tags), options);
  EXPECT_EQ(Where(r, "too_many_core_tags"), Strings{"/tags/3/core|core3"}) << FormatFindings(r.findings);
  options.max_core_tags = 4;
  EXPECT_TRUE(Where(LintCatalog(CatalogWith(tags), options), "too_many_core_tags").empty());
}

TEST(LintTest, DefaultCoreLimitIsFifty) {
  std::string tags = "[";
  for (int i = 0; i < 51; ++i) {
    tags += std::string(i ? "," : "") + R"({"id": "c)" + std::to_string(i) + R"(", "core": true, "when": {">": [{"var": "x"}, )" +
            std::to_string(i) + "]}}";
  }
  tags += "]";
  LintReport r = LintCatalog(CatalogWith(tags));
  EXPECT_EQ(Where(r, "too_many_core_tags"), Strings{"/tags/50/core|c50"}) << FormatFindings(r.findings);
}

TEST(LintTest, WarnsAboutTagsNothingCanGive) {
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "fans", "name": "粉丝"},
    {"id": "game_fans", "name": "游戏粉丝", "parent": "fans", "when": {">": [{"var": "games"}, 3]}},
    {"id": "orphan", "name": "孤儿标签", "value": {"var": "score"}},
    {"id": "churn_risk", "name": "流失风险", "source": "server"}])"));
  EXPECT_EQ(Where(r, "unused_tag"), Strings{"/tags/2|orphan"}) << FormatFindings(r.findings);
  EXPECT_EQ(Where(r, "unused_group"), (Strings{"/groups/0|", "/groups/1|"}));
}

TEST(LintTest, ReportsRuleNestedTooDeepOnceWithoutRecursing) {
  json rule = json{{">", json::array({json{{"var", "x"}}, 1})}};
  for (int i = 0; i < 300; ++i) {
    json wrapper = json::object();
    wrapper["!"] = std::move(rule);
    rule = std::move(wrapper);
  }
  json catalog = {{"tagwise", 1}, {"tags", json::array({json{{"id", "deep"}, {"name", "深"}, {"when", rule}}})}};
  LintReport r = LintCatalog(catalog);
  std::string path = "/tags/0/when";
  for (int i = 0; i < 129; ++i) path += "/!";
  EXPECT_EQ(Where(r, "too_deep"), Strings{path + "|deep"}) << FormatFindings(r.findings);
}

TEST(LintTest, CatalogsOfTheWrongShapeGiveFindingsNotCrashes) {
  for (const char* text : {"null", "[]", "\"tags\"", R"({"tags": 5})", R"({"tags": [5, null, {"id": 3}, {"id": "ok", "when": {"and": 7}}]})",
                           R"({"tags": [{"id": "x", "parent": 5, "group": [], "when": {"<": []}, "priority": "high"}]})"}) {
    LintReport r = LintCatalog(json::parse(text));
    EXPECT_TRUE(r.has_errors()) << text << "\n" << FormatFindings(r.findings);
    EXPECT_EQ(Find(r, "lint_failed"), nullptr) << text;
  }
}

TEST(LintTest, CapsTheNumberOfFindings) {
  std::string tags = "[";
  for (int i = 0; i < 20; ++i) tags += std::string(i ? "," : "") + R"({"id": "t)" + std::to_string(i) + R"(", "parent": "nobody"})";
  tags += "]";
  LintOptions options;
  options.max_findings = 5;
  LintReport r = LintCatalog(json::parse(R"({"tagwise": 1, "tags": )" + tags + "}"), options);
  ASSERT_EQ(r.findings.size(), 6u);
  EXPECT_EQ(r.findings.back().code, "too_many_findings");
}

TEST(LintTest, LargeRulesAndGroupsAreCheckedWithoutBlowingUp) {
  // 3,000 alternatives on one input, and 300 same-priority members of one
  // exclusive group whose rules never overlap (44,850 pairs).
  json alternatives = json::array();
  for (int i = 0; i < 3000; ++i) alternatives.push_back(json{{"==", json::array({json{{"var", "x"}}, i})}});
  json tags = json::array({json{{"id", "wide"}, {"when", json{{"and", json::array({json{{"or", alternatives}},
                                                                                   json{{">", json::array({json{{"var", "x"}}, -1})}}})}}}}});
  for (int i = 0; i < 300; ++i) {
    tags.push_back(json{{"id", "m" + std::to_string(i)}, {"group", "lifecycle"},
                        {"when", json{{"==", json::array({json{{"var", "level"}}, i})}}}});
  }
  LintReport r = LintCatalog(json{{"tagwise", 1}, {"groups", json::parse(R"([{"id": "lifecycle", "exclusive": true}])")},
                                  {"tags", tags}});
  EXPECT_EQ(Find(r, "lint_failed"), nullptr);
  EXPECT_TRUE(Where(r, "never_holds").empty() && Where(r, "always_holds").empty()) << FormatFindings(r.findings);
  // The first members are checked pairwise and found disjoint; the check budget
  // runs out later and the rest are warned about (a "may", never a missed error).
  EXPECT_TRUE(Where(r, "same_priority_exclusive").size() < 300u);
  ASSERT_FALSE(Where(r, "same_priority_exclusive").empty());
  EXPECT_EQ(Where(r, "same_priority_exclusive").front(), "/tags/201|m200");  // 20,000 checks cover members 0..199
}

// ---- rules that never / always hold -------------------------------------------

TEST(LintTest, RuleThatCanNeverHold) {
  LintReport r = LintRule(R"({"and": [{">": [{"var": "age"}, 30]}, {"<": [{"var": "age"}, 20]}]})");
  EXPECT_EQ(Where(r, "never_holds"), Strings{"/tags/0/when|t"}) << FormatFindings(r.findings);
  EXPECT_EQ(r.findings.size(), 1u);
}

TEST(LintTest, RuleThatAlwaysHolds) {
  LintReport r = LintRule(R"({"or": [{">=": [{"var": "x"}, 5]}, {"<": [{"var": "x"}, 10]}]})");
  EXPECT_EQ(Where(r, "always_holds"), Strings{"/tags/0/when|t"}) << FormatFindings(r.findings);
}

TEST(LintTest, DeadBranchAndRedundantConditionAreReportedWhereTheyAre) {
  LintReport r = LintRule(R"({"or": [
      {"and": [{">": [{"var": "age"}, 30]}, {"<=": [{"var": "age"}, 30]}]},
      {"and": [{">": [{"var": "vip_level"}, 2]}, {"or": [{"<": [{"var": "age"}, 50]}, {">": [{"var": "age"}, 40]}]}]}]})");
  EXPECT_EQ(Where(r, "never_holds"), Strings{"/tags/0/when/or/0|t"}) << FormatFindings(r.findings);
  EXPECT_EQ(Where(r, "always_holds"), Strings{"/tags/0/when/or/1/and/1|t"});
}

TEST(LintTest, NotOfAConstantConditionIsConstant) {
  EXPECT_EQ(Where(LintRule(R"({"!": {"or": [{">=": [{"var": "x"}, 5]}, {"<": [{"var": "x"}, 10]}]}})"), "never_holds"),
            Strings{"/tags/0/when|t"});
  EXPECT_EQ(Where(LintRule(R"({"!": [{"and": [{">": [{"var": "x"}, 5]}, {"<": [{"var": "x"}, 5]}]}]})"), "always_holds"),
            Strings{"/tags/0/when|t"});
  // !(x > 5) and x > 7 can never hold.
  EXPECT_EQ(Where(LintRule(R"({"and": [{"!": {">": [{"var": "x"}, 5]}}, {">": [{"var": "x"}, 7]}]})"), "never_holds"),
            Strings{"/tags/0/when|t"});
}

TEST(LintTest, BetweenFormsAreIntervals) {
  EXPECT_EQ(Where(LintRule(R"({"<": [10, {"var": "age"}, 5]})"), "never_holds"), Strings{"/tags/0/when|t"});
  EXPECT_EQ(Where(LintRule(R"({"and": [{"<=": [18, {"var": "age"}, 65]}, {">": [{"var": "age"}, 70]}]})"), "never_holds"),
            Strings{"/tags/0/when|t"});
  LintReport fine = LintRule(R"({"and": [{"<=": [18, {"var": "age"}, 65]}, {">": [{"var": "age"}, 60]}]})");
  EXPECT_TRUE(fine.findings.empty()) << FormatFindings(fine.findings);
}

TEST(LintTest, SameEventsAggregateOnBothSidesIsOneInput) {
  EXPECT_EQ(Where(LintRule(R"({"and": [
      {">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 5]},
      {"<": [{"events": [{"type": "order_paid", "within": "30d"}]}, 3]}]})"), "never_holds"),
            Strings{"/tags/0/when|t"});
  // Different windows are different inputs: nothing is certain.
  LintReport r = LintRule(R"({"and": [
      {">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 5]},
      {"<": [{"events": [{"type": "order_paid", "within": "7d"}]}, 3]}]})");
  EXPECT_TRUE(r.findings.empty()) << FormatFindings(r.findings);
}

TEST(LintTest, CountsAreWholeNumbersAndNeverNegative) {
  EXPECT_EQ(Where(LintRule(R"({"<": [{"events": "login"}, 0]})"), "never_holds"), Strings{"/tags/0/when|t"});
  EXPECT_EQ(Where(LintRule(R"({">=": [{"events": [{"type": "login", "agg": "distinct", "field": "device"}]}, 0]})"), "always_holds"),
            Strings{"/tags/0/when|t"});
  EXPECT_EQ(Where(LintRule(R"({"and": [{">": [{"events": "login"}, 2]}, {"<": [{"events": "login"}, 3]}]})"), "never_holds"),
            Strings{"/tags/0/when|t"});
  // Sums can be anything (refunds), and a decayed count is fractional.
  EXPECT_TRUE(LintRule(R"({"<": [{"events": [{"type": "order_paid", "agg": "sum", "field": "amount"}]}, 0]})").findings.empty());
  EXPECT_TRUE(LintRule(R"({"and": [{">": [{"events": [{"type": "login", "half_life": "7d"}]}, 2]},
                                    {"<": [{"events": [{"type": "login", "half_life": "7d"}]}, 3]}]})").findings.empty());
}

TEST(LintTest, ExistsIsNeverStrictlyEqualToANumber) {
  EXPECT_EQ(Where(LintRule(R"({"===": [{"events": [{"type": "refund", "agg": "exists"}]}, 1]})"), "never_holds"),
            Strings{"/tags/0/when|t"});
}

TEST(LintTest, OnlyCertainConclusionsAreReported) {
  for (const char* rule : {
           // two different inputs
           R"({"and": [{">": [{"var": "x"}, 30]}, {"<": [{"var": "y"}, 20]}]})",
           // a missing value is null: null == 0 is false although null compares as 0
           R"({"or": [{"==": [{"var": "x"}, 0]}, {">": [{"var": "x"}, 0]}, {"<": [{"var": "x"}, 0]}]})",
           // text comparisons are not numeric
           R"({"and": [{">": [{"var": "x"}, "30"]}, {"<": [{"var": "x"}, "20"]}]})",
           // inside `some`, var reads each element: not the outer input
           R"({"and": [{">": [{"var": "x"}, 30]}, {"some": [{"var": "items"}, {"<": [{"var": "x"}, 20]}]}]})",
           // a default makes it another input
           R"({"and": [{">": [{"var": "x"}, 30]}, {"<": [{"var": ["x", 5]}, 20]}]})",
           // unknown operators and computed values are not reasoned about
           R"({"and": [{">": [{"+": [{"var": "x"}, 1]}, 30]}, {"<": [{"+": [{"var": "x"}, 1]}, 20]}]})"}) {
    LintReport r = LintRule(rule);
    EXPECT_TRUE(Where(r, "never_holds").empty() && Where(r, "always_holds").empty()) << rule << "\n"
                                                                                     << FormatFindings(r.findings);
  }
}

// Random rules over two attributes: whatever lint calls never/always holds must
// agree with the evaluator for every number (and a missing value) tried.
// (Non-numeric text is the documented exception, flagged in the message.)
class RandomRules {
 public:
  explicit RandomRules(uint32_t seed) : state_(seed) {}
  json Rule(int depth) {
    uint32_t pick = Next() % (depth > 3 ? 4 : 10);
    if (pick < 4) return Atom();
    if (pick < 6) return json{{pick == 4 ? "and" : "or", json::array({Rule(depth + 1), Rule(depth + 1), Rule(depth + 1)})}};
    if (pick < 8) return json{{pick == 6 ? "and" : "or", json::array({Rule(depth + 1), Rule(depth + 1)})}};
    if (pick == 8) return json{{"!", json::array({Rule(depth + 1)})}};
    return Next() % 8 == 0 ? json(Next() % 2 == 0) : json{{"!!", json::array({Rule(depth + 1)})}};
  }

 private:
  json Atom() {
    static const char* kOps[] = {"<", "<=", ">", ">=", "==", "!=", "===", "!=="};
    json var = json{{"var", Next() % 4 == 0 ? "y" : "x"}};
    if (Next() % 6 == 0) {
      return json{{Next() % 2 ? "<" : "<=", json::array({Literal(), var, Literal()})}};
    }
    std::string op = kOps[Next() % 8];
    return Next() % 2 ? json{{op, json::array({var, Literal()})}} : json{{op, json::array({Literal(), var})}};
  }
  json Literal() {
    static const double kValues[] = {0, 1, 2, 2.5, 3, 5, 10, -1};
    return json(kValues[Next() % 8]);
  }
  uint32_t Next() {
    state_ = state_ * 1664525u + 1013904223u;
    return state_ >> 8;
  }
  uint32_t state_;
};

TEST(LintTest, NeverAndAlwaysAgreeWithTheEvaluatorOnRandomRules) {
  // Missing (null), numbers, and values JsonLogic reads as numbers ("5", true, []).
  const std::vector<json> xs = {nullptr, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.25, 2.5, 2.75, 3, 4, 5, 7, 10, 11, 1e9,
                                "5", true, false, json::array()};
  const std::vector<json> ys = {nullptr, -1, 0, 2.5, 5, 10, 20};
  RandomRules gen(12345);
  int never = 0, always = 0;
  for (int i = 0; i < 400; ++i) {
    json rule = gen.Rule(0);
    LintReport r = LintCatalog(json{{"tagwise", 1}, {"tags", json::array({json{{"id", "t"}, {"when", rule}}})}});
    bool says_never = Where(r, "never_holds") == Strings{"/tags/0/when|t"};
    bool says_always = Where(r, "always_holds") == Strings{"/tags/0/when|t"};
    if (!says_never && !says_always) continue;
    never += says_never;
    always += says_always;
    CompileResult compiled = CompileRule(rule);
    ASSERT_TRUE(compiled.ok()) << rule.dump();
    for (const json& x : xs) {
      for (const json& y : ys) {
        json data = json::object();
        if (!x.is_null()) data["x"] = x;
        if (!y.is_null()) data["y"] = y;
        Result<json> v = compiled.rule->Evaluate(data, EvalContext{});
        ASSERT_TRUE(v.ok()) << rule.dump();
        EXPECT_EQ(js::Truthy(v.value()), says_always) << rule.dump() << " with " << data.dump();
      }
    }
  }
  EXPECT_GT(never, 10);  // the generator does exercise both conclusions
  EXPECT_GT(always, 10);
}

TEST(LintTest, EventsFilterThatMatchesNoEvent) {
  LintReport r = LintRule(R"({">=": [{"events": [{"type": "order_paid",
      "where": {"and": [{">": [{"var": "amount"}, 100]}, {"<": [{"var": "amount"}, 50]}]}}]}, 1]})");
  EXPECT_EQ(Where(r, "never_holds"), Strings{"/tags/0/when/>=/0/events/0/where|t"}) << FormatFindings(r.findings);
}

TEST(LintTest, ConstantWhenAndConditionsInsideOtherOperators) {
  EXPECT_EQ(Where(LintRule("false"), "never_holds"), Strings{"/tags/0/when|t"});
  EXPECT_EQ(Where(LintRule(R"({"and": [true, {">": [{"var": "x"}, 1]}]})"), "always_holds"), Strings{"/tags/0/when/and/0|t"});
  EXPECT_EQ(Where(LintRule(R"({"if": [{">=": [{"events": "login"}, 0]}, {"var": "a"}, {"var": "b"}]})"), "always_holds"),
            Strings{"/tags/0/when/if/0|t"});
  // A constant value rule is a value, not a condition.
  LintReport r = LintCatalog(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "rfm", "name": "RFM", "when": {">": [{"var": "x"}, 1]}, "value": 5}]})"));
  EXPECT_TRUE(r.findings.empty()) << FormatFindings(r.findings);
}

TEST(LintTest, LoadProblemsKeepTheirCodes) {
  LintReport r = LintCatalog(CatalogWith(R"([
    {"id": "a", "name": "甲", "when": {">=": [{"events": [{"type": "x", "within": "30x"}]}, 1]}, "colour": "red"}])"));
  EXPECT_EQ(Where(r, "bad_duration"), Strings{"/tags/0/when/>=/0/events/0/within|a"}) << FormatFindings(r.findings);
  const LintFinding* unknown_field = Find(r, "invalid_rule");
  ASSERT_NE(unknown_field, nullptr) << FormatFindings(r.findings);
  EXPECT_EQ(unknown_field->path, "/tags/0/colour");
  EXPECT_EQ(unknown_field->severity, Severity::kWarning);
}

// ---- with a sample ------------------------------------------------------------

Profile User(const std::string& text) {
  Result<Profile> p = Profile::FromJson(json::parse(text));
  EXPECT_TRUE(p.ok()) << text;
  return p.ok() ? p.value() : Profile();
}

constexpr int64_t kNow = 1763800000000;

TEST(LintTest, SampleGivesCoverageDeadTagsAndLowCoverage) {
  json catalog = CatalogWith(R"([
    {"id": "buyer", "name": "购买用户", "when": {">=": [{"events": "order_paid"}, 1]}},
    {"id": "big_buyer", "name": "大客户", "when": {">=": [{"events": "order_paid"}, 3]}},
    {"id": "adult", "name": "成年人", "when": {">=": [{"var": "age"}, 18]}},
    {"id": "senior", "name": "老年人", "when": {">=": [{"var": "age"}, 90]}},
    {"id": "churn_risk", "name": "流失风险", "source": "server"}])");
  std::vector<Profile> sample = {
      User(R"({"user_id": "u1", "attributes": {"age": 30}, "events": [
          {"id": "e1", "type": "order_paid", "ts": 1763700000000},
          {"id": "e2", "type": "order_paid", "ts": 1763710000000},
          {"id": "e3", "type": "order_paid", "ts": 1763720000000}]})"),
      User(R"({"user_id": "u2", "attributes": {"age": 17}, "events": [
          {"id": "e1", "type": "order_paid", "ts": 1763700000000}]})"),
      User(R"({"user_id": "u3", "attributes": {"age": 40}})"),
      User(R"({"user_id": "u4", "attributes": {}})")};
  LintOptions options;
  options.low_coverage = 0.3;
  LintReport r = LintCatalogWithSample(catalog, sample, kNow, options);
  EXPECT_EQ(r.sample_size, 4);
  ASSERT_EQ(r.coverage.size(), 5u);
  EXPECT_EQ(r.coverage[0].tag_id, "buyer");
  EXPECT_EQ(r.coverage[0].users, 2);
  EXPECT_DOUBLE_EQ(r.coverage[0].share, 0.5);
  EXPECT_EQ(r.coverage[1].users, 1);
  EXPECT_DOUBLE_EQ(r.coverage[1].share, 0.25);
  EXPECT_EQ(r.coverage[2].users, 2);
  EXPECT_EQ(r.coverage[3].users, 0);
  EXPECT_EQ(r.coverage[4].users, 0);
  EXPECT_EQ(Where(r, "dead_tag"), Strings{"/tags/3|senior"}) << FormatFindings(r.findings);  // server tags are not judged
  EXPECT_EQ(Where(r, "low_coverage"), Strings{"/tags/1|big_buyer"});
}

TEST(LintTest, SampleDeadTagThatAlwaysLosesItsExclusiveGroup) {
  json catalog = CatalogWith(R"([
    {"id": "active", "name": "活跃用户", "group": "lifecycle", "priority": 2, "when": {">=": [{"var": "visits"}, 1]}},
    {"id": "regular", "name": "常客", "group": "lifecycle", "priority": 1, "when": {">=": [{"var": "visits"}, 5]}}])");
  std::vector<Profile> sample = {User(R"({"user_id": "u1", "attributes": {"visits": 9}})"),
                                 User(R"({"user_id": "u2", "attributes": {"visits": 2}})")};
  LintReport r = LintCatalogWithSample(catalog, sample, kNow);
  ASSERT_EQ(r.coverage.size(), 2u);
  EXPECT_EQ(r.coverage[0].users, 2);
  EXPECT_EQ(r.coverage[1].users, 0);
  EXPECT_EQ(Where(r, "dead_tag"), Strings{"/tags/1|regular"}) << FormatFindings(r.findings);
}

TEST(LintTest, SampleIsSkippedWhenTheCatalogHasErrors) {
  json catalog = CatalogWith(R"([{"id": "a", "name": "甲", "parent": "nobody", "when": true}])");
  LintReport r = LintCatalogWithSample(catalog, {User(R"({"user_id": "u1"})")}, kNow);
  EXPECT_EQ(Where(r, "sample_skipped"), Strings{"|"}) << FormatFindings(r.findings);
  EXPECT_TRUE(r.coverage.empty());
  EXPECT_EQ(r.sample_size, 1);
}

TEST(LintTest, SampleReportsRulesThatFailForSomeUsers) {
  json catalog = CatalogWith(R"([{"id": "a", "name": "甲", "when": {"if": [{"var": "bad"}, {"throw": "oops"}, true]}}])");
  std::vector<Profile> sample = {User(R"({"user_id": "u1", "attributes": {"bad": true}})"),
                                 User(R"({"user_id": "u2", "attributes": {"bad": false}})")};
  LintReport r = LintCatalogWithSample(catalog, sample, kNow);
  EXPECT_EQ(Where(r, "rule_error"), Strings{"/tags/0|a"}) << FormatFindings(r.findings);
  ASSERT_EQ(r.coverage.size(), 1u);
  EXPECT_EQ(r.coverage[0].users, 1);
}

// ---- output -------------------------------------------------------------------

TEST(LintTest, FormatsFindingsOnePerLineWithChineseNames) {
  LintReport r = LintCatalog(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "active_high", "name": "高活跃用户",
       "when": {"and": [{">": [{"var": "age"}, 30]}, {"<": [{"var": "age"}, 20]}]}}]})"));
  EXPECT_EQ(FormatFindings(r.findings),
            "warning never_holds at /tags/0/when [active_high]: 高活跃用户 (active_high) can never be given to anyone: "
            "no possible value of age satisfies it.\n");
}

TEST(LintTest, ReportConvertsToJson) {
  LintReport r = LintCatalogWithSample(CatalogWith(R"([{"id": "a", "name": "甲", "parent": "a", "when": true}])"), {}, kNow);
  json j = LintReportToJson(r);
  ASSERT_TRUE(j["findings"].is_array());
  EXPECT_EQ(j["findings"][0]["severity"], "error");
  EXPECT_EQ(j["findings"][0]["code"], "self_parent");
  EXPECT_EQ(j["findings"][0]["tag_id"], "a");
  EXPECT_EQ(j["findings"][0]["path"], "/tags/0/parent");
  EXPECT_EQ(j["sample_size"], 0);
  EXPECT_TRUE(j["coverage"].is_array());
}


// Issue 24's static cost warnings: nested iteration over data, and reduce
// building from an accumulator read twice; at the node, once per shape.
TEST(LintTest, CostlyShapesAreWarnedAtTheirNode) {
  EXPECT_EQ(Where(LintRule(R"({"some": [{"var": "orders"}, {"some": [{"var": "items"}, {"==": [{"var": ""}, 1]}]}]})"),
                  "costly_rule"),
            Strings{"/tags/0/when/some/1/some|t"});
  EXPECT_EQ(Where(LintRule(R"({"!!": {"reduce": [{"var": "a"}, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}})"),
                  "costly_rule"),
            Strings{"/tags/0/when/!!/reduce/1|t"});
  EXPECT_EQ(Where(LintRule(R"({"!!": {"reduce": [{"var": "a"}, {"cat": [{"var": "accumulator.x"}, {"var": "accumulator"}]}, ""]}})"),
                  "costly_rule").size(),
            1u);
  // Linear shapes are fine: one iteration, a literal inner list, an accumulator read once.
  for (const char* fine : {
           R"({"some": [{"var": "orders"}, {">": [{"var": "amount"}, 100]}]})",
           R"({"some": [{"var": "orders"}, {"in": [{"var": "sku"}, ["A", "B"]]}]})",
           R"({"some": [{"var": "orders"}, {"some": [[1, 2, 3], {"==": [{"var": ""}, 2]}]}]})",
           R"({"!!": {"reduce": [{"var": "a"}, {"cat": [{"var": "accumulator"}, {"var": "current"}]}, ""]}})",
           R"({"!!": {"reduce": [{"var": "a"}, {"+": [{"var": "accumulator"}, {"var": "accumulator"}]}, 1]}})",
       }) {
    EXPECT_TRUE(Where(LintRule(fine), "costly_rule").empty()) << fine;
  }
}

// The same estimate for one rule (validateRule's costly_rule warnings):
// paths into the rule, and a literal inner list past 1,000 items counts as data.
TEST(LintTest, RuleCostWarningsLocateTheShapeInOneRule) {
  std::vector<RuleCost> nested = RuleCostWarnings(json::parse(
      R"({"and": [true, {"map": [{"var": "rows"}, {"filter": [{"var": "cells"}, {"var": ""}]}]}]})"));
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0].path, "/and/1/map/1/filter");
  EXPECT_EQ(nested[0].message.rfind("The rule runs \"filter\"", 0), 0u) << nested[0].message;
  json big = json::array();
  for (int i = 0; i < 1001; ++i) big.push_back(i);
  const json literal = {{"some", {{{"var", "orders"}}, {{"some", {big, {{"==", {{{"var", ""}}, -1}}}}}}}}};
  EXPECT_EQ(RuleCostWarnings(literal).size(), 1u) << literal.dump().substr(0, 80);
  big.erase(big.begin());
  EXPECT_TRUE(RuleCostWarnings(json{{"some", {{{"var", "orders"}}, {{"some", {big, true}}}}}}).empty());
  EXPECT_TRUE(RuleCostWarnings(json::parse(R"({"events": {"type": "view", "where": {"some": [{"var": "tags"}, true]}}})")).empty());
}

}  // namespace
}  // namespace tagwise
