// Evaluation semantics of compiled rules (rules/evaluator.cpp): results,
// JS number corner cases, tag operators. Compile-time checks are in
// compiler_test.cpp; the official and community suites in
// jsonlogic_conformance_test.cpp.
#include <cmath>

#include <gtest/gtest.h>

#include "tagwise/rule.h"

namespace tagwise {
namespace {

using nlohmann::json;

TEST(EvaluatorTest, CompiledRuleEvaluatesManyTimesWithoutRecompiling) {
  CompileResult r = CompileRule(json::parse(R"({">=": [{"var": "n"}, 5]})"));
  ASSERT_TRUE(r.ok());
  for (int i = 0; i < 10; ++i) {
    auto v = r.rule->Evaluate(json{{"n", i}}, EvalContext{});
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), json(i >= 5));
  }
}

TEST(EvaluatorTest, TagOperatorsUseTheResolver) {
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

// Found by the differential test against json-logic-js
// (tests/js/jsonlogic_differential.test.mjs, B1-B3 in tests/js/jsonlogic_differences.md).
json EvalOnEmpty(const char* rule) {
  CompileResult r = CompileRule(json::parse(rule));
  EXPECT_TRUE(r.ok()) << FormatIssues(r.issues);
  return r.rule->Evaluate(json::object(), EvalContext{}).value();
}

TEST(EvaluatorTest, AnArrayOfConstantOperationsHoldsTheirValues) {
  EXPECT_EQ(EvalOnEmpty(R"([{"+": [1, 2]}, "x", {"cat": ["a", "b"]}])"), json::parse(R"([3, "x", "ab"])"));
  EXPECT_EQ(EvalOnEmpty(R"({"in": [3, [{"+": [1, 2]}]]})"), json(true));
  EXPECT_EQ(EvalOnEmpty(R"({"cat": [[{"+": [1, 2]}]]})"), json("3"));
}

TEST(EvaluatorTest, MinAndMaxRankNegativeZeroBelowZeroAsMathMinDoes) {
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"min": [0, {"-": [0]}]})").get<double>()));
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"min": [{"-": [0]}, 0]})").get<double>()));
  EXPECT_FALSE(std::signbit(EvalOnEmpty(R"({"max": [{"-": [0]}, 0]})").get<double>()));
  EXPECT_FALSE(std::signbit(EvalOnEmpty(R"({"max": [0, {"-": [0]}]})").get<double>()));
}

TEST(EvaluatorTest, MultiplicationReadsEachFactorAndTheRunningProductWithParseFloat) {
  // parseFloat(-0) is 0 (String(-0) is "0"), but 0 * -2.5 is still -0.
  EXPECT_FALSE(std::signbit(EvalOnEmpty(R"({"*": [{"-": [0]}, 1]})").get<double>()));
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"*": ["0o7", -2, -2.5]})").get<double>()));
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"*": [{"-": [0]}]})").get<double>()));  // a lone factor as is
  EXPECT_TRUE(std::signbit(EvalOnEmpty(R"({"*": ["-0", 1.5]})").get<double>()));   // the string "-0" parses to -0
}

}  // namespace
}  // namespace tagwise
