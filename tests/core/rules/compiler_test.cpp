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

TEST(CompilerTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration(json("30d")), 30 * 86'400'000LL);
  EXPECT_EQ(ParseDuration(json("1.5h")), 5'400'000);
  EXPECT_EQ(ParseDuration(json("2w")), 14 * 86'400'000LL);
  EXPECT_EQ(ParseDuration(json(500)), 500);
  EXPECT_FALSE(ParseDuration(json("30")).has_value());
  EXPECT_FALSE(ParseDuration(json("-3d")).has_value());
  EXPECT_FALSE(ParseDuration(json("d")).has_value());
}

}  // namespace
}  // namespace tagwise
