#include <cmath>

#include <gtest/gtest.h>

#include "tagwise/rule.h"

namespace tagwise {
namespace {

using nlohmann::json;

TEST(CompilerTest, ListsEveryProblemWithPaths) {
  json rule = json::parse(R"({"and": [
      {"evnets": [{"type": "order_paid"}]},
      {">=": [{"events": [{"type": "order_paid", "within": "30x"}]}, 5]},
      {"days_since": []}]})");
  CompileResult r = CompileRule(rule);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.issues.size(), 3u) << FormatIssues(r.issues);
  EXPECT_EQ(r.issues[0].code, ErrorCode::kUnknownOperator);
  EXPECT_EQ(r.issues[0].path, "/and/0/evnets");
  EXPECT_NE(r.issues[0].message.find("did you mean \"events\"?"), std::string::npos);
  EXPECT_EQ(r.issues[1].code, ErrorCode::kBadDuration);
  EXPECT_EQ(r.issues[1].path, "/and/1/>=/0/events/0/within");
  EXPECT_EQ(r.issues[2].code, ErrorCode::kWrongArgumentCount);
  EXPECT_EQ(r.issues[2].path, "/and/2/days_since");
}

TEST(CompilerTest, EscapesPointerTokens) {
  CompileResult r = CompileRule(json::parse(R"({"a/b~c": [1]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].path, "/a~1b~0c");
}

TEST(CompilerTest, ChineseMessagesAndPathsSurvive) {
  CompileResult r = CompileRule(json::parse(R"({"and": [{"标签": ["高价值"]}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].path, "/and/0/标签");
  EXPECT_NE(r.issues[0].message.find("标签"), std::string::npos);
}

TEST(CompilerTest, LenientJsonLogicCountsAreWarningsNotErrors) {
  CompileResult r = CompileRule(json::parse(R"({">": [1]})"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].severity, Severity::kWarning);
}

TEST(CompilerTest, RecordsWhatTheRuleReads) {
  CompileResult r = CompileRule(json::parse(R"({"and": [
      {">": [{"var": "user.age"}, 18]}, {"tag": ["vip"]},
      {"events": [{"type": ["view", "cart_add"]}]}]})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.rule->referenced_vars(), std::vector<std::string>{"user"});
  EXPECT_EQ(r.rule->referenced_tags(), std::vector<std::string>{"vip"});
  EXPECT_EQ(r.rule->referenced_event_types(), (std::vector<std::string>{"cart_add", "view"}));
}

TEST(CompilerTest, UnknownTagIsRejectedWhenTheCatalogIsKnown) {
  std::vector<std::string> known = {"vip"};
  CompileOptions options;
  options.known_tags = &known;
  CompileResult r = CompileRule(json::parse(R"({"tag": ["vipp"]})"), options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kUnknownTag);
  EXPECT_EQ(r.issues[0].path, "/tag/0");
}

TEST(CompilerTest, CompiledRuleEvaluatesManyTimesWithoutRecompiling) {
  CompileResult r = CompileRule(json::parse(R"({">=": [{"var": "n"}, 5]})"));
  ASSERT_TRUE(r.ok());
  for (int i = 0; i < 10; ++i) {
    auto v = r.rule->Evaluate(json{{"n", i}}, EvalContext{});
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), json(i >= 5));
  }
}

TEST(CompilerTest, TagOperatorsUseTheResolver) {
  struct Tags : TagResolver {
    bool HasTag(std::string_view id) const override { return id == "vip"; }
    json TagValue(std::string_view id) const override { return id == "vip" ? json(3) : json(nullptr); }
  } tags;
  CompileResult r = CompileRule(json::parse(R"({"+": [{"tag_value": ["vip"]}, {"if": [{"tag": ["vip"]}, 10, 0]}]})"));
  ASSERT_TRUE(r.ok());
  EvalContext ctx;
  ctx.tags = &tags;
  EXPECT_EQ(r.rule->Evaluate(json::object(), ctx).value(), json(13));
  // Without a resolver no tag holds and tag_value is null (so the sum is NaN, as in JS).
  CompileResult plain = CompileRule(json::parse(R"({"if": [{"tag": ["vip"]}, 10, 0]})"));
  EXPECT_EQ(plain.rule->Evaluate(json::object(), EvalContext{}).value(), json(0));
  EXPECT_TRUE(r.rule->Evaluate(json::object(), EvalContext{}).value().is_null() ||
              std::isnan(r.rule->Evaluate(json::object(), EvalContext{}).value().get<double>()));
}

TEST(CompilerTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration(json("30d")), 30 * 86'400'000LL);
  EXPECT_EQ(ParseDuration(json("1.5h")), 5'400'000);
  EXPECT_EQ(ParseDuration(json("2w")), 14 * 86'400'000LL);
  EXPECT_EQ(ParseDuration(json(500)), 500);
  EXPECT_FALSE(ParseDuration(json("30")).has_value());
  EXPECT_FALSE(ParseDuration(json("-3d")).has_value());
  EXPECT_FALSE(ParseDuration(json("d")).has_value());
}

// Found by the differential test against json-logic-js
// (tests/js/jsonlogic_differential.test.mjs, B1-B3 in tests/js/jsonlogic_differences.md).
json EvalOnEmpty(const char* rule) {
  CompileResult r = CompileRule(json::parse(rule));
  EXPECT_TRUE(r.ok()) << FormatIssues(r.issues);
  return r.rule->Evaluate(json::object(), EvalContext{}).value();
}

TEST(CompilerTest, AnArrayOfConstantOperationsHoldsTheirValues) {
  EXPECT_EQ(EvalOnEmpty(R"([{"+": [1, 2]}, "x", {"cat": ["a", "b"]}])"), json::parse(R"([3, "x", "ab"])"));
  EXPECT_EQ(EvalOnEmpty(R"({"in": [3, [{"+": [1, 2]}]]})"), json(true));
  EXPECT_EQ(EvalOnEmpty(R"({"cat": [[{"+": [1, 2]}]]})"), json("3"));
}

TEST(CompilerTest, MinAndMaxRankNegativeZeroBelowZeroAsMathMinDoes) {
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"min": [0, {"-": [0]}]})").get<double>()));
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"min": [{"-": [0]}, 0]})").get<double>()));
  EXPECT_FALSE(std::signbit(EvalOnEmpty(R"({"max": [{"-": [0]}, 0]})").get<double>()));
  EXPECT_FALSE(std::signbit(EvalOnEmpty(R"({"max": [0, {"-": [0]}]})").get<double>()));
}

TEST(CompilerTest, MultiplicationReadsEachFactorAndTheRunningProductWithParseFloat) {
  // parseFloat(-0) is 0 (String(-0) is "0"), but 0 * -2.5 is still -0.
  EXPECT_FALSE(std::signbit(EvalOnEmpty(R"({"*": [{"-": [0]}, 1]})").get<double>()));
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"*": ["0o7", -2, -2.5]})").get<double>()));
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"*": [{"-": [0]}]})").get<double>()));  // a lone factor as is
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"*": ["-0", 1.5]})").get<double>()));   // the string "-0" parses to -0
}

}  // namespace
}  // namespace tagwise
