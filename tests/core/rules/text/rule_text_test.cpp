// Tests for the text form of rules (core/src/rules/text/rule_text.cpp).
//
// Error paths are "line:column", both 1-based, and columns count Unicode code
// points, not bytes: in `城市 = "上海"` the '=' is at column 4.
//
// "Round-trips" means ParseRuleText(FormatRule(r)) gives r back exactly: the
// same JSON by nlohmann's operator== and the same dump(), so 1, 1.0 and -0.0
// are told apart even though operator== equates them.
#include "tagwise/rule_text.h"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace tagwise {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

::testing::AssertionResult RoundTrips(const json& rule) {
  const Result<std::string> text = FormatRule(rule);
  if (!text.ok()) {
    return ::testing::AssertionFailure() << "FormatRule(" << Dump(rule) << ") failed: "
                                         << ErrorCodeName(text.error().code) << " at "
                                         << text.error().path << ": " << text.error().message;
  }
  const Result<json> back = ParseRuleText(text.value());
  if (!back.ok()) {
    return ::testing::AssertionFailure() << "text `" << text.value() << "` of " << Dump(rule)
                                         << " does not parse: " << back.error().path << ": "
                                         << back.error().message;
  }
  if (!(back.value() == rule) || Dump(back.value()) != Dump(rule)) {
    return ::testing::AssertionFailure() << Dump(rule) << " became `" << text.value() << "`, read back as "
                                         << Dump(back.value());
  }
  return ::testing::AssertionSuccess();
}

json Parsed(const std::string& text) {
  const Result<json> r = ParseRuleText(text);
  if (!r.ok()) {
    ADD_FAILURE() << "`" << text << "` failed at " << r.error().path << ": " << r.error().message;
    return json("<parse failed>");
  }
  return r.value();
}

struct TextCase {
  const char* text;
  const char* json;
};

TEST(RuleTextTest, ParsesTheDesignExamplesToTheirJson) {
  const TextCase cases[] = {
      {"events(order_paid, within 30d) >= 5 and days_since(last_login) > 30",
       R"({"and": [{">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 5]},
                   {">": [{"days_since": [{"var": "last_login"}]}, 30]}]})"},
      {"events(page_view, within 7d) >= 3 and not events(order_paid, within 7d)",
       R"({"and": [{">=": [{"events": [{"type": "page_view", "within": "7d"}]}, 3]},
                   {"!": [{"events": [{"type": "order_paid", "within": "7d"}]}]}]})"},
      {"events(order_paid, within 30d, where amount > 20, agg sum of amount, half_life 7d)",
       R"({"events": [{"type": "order_paid", "within": "30d", "where": {">": [{"var": "amount"}, 20]},
                       "agg": "sum", "field": "amount", "half_life": "7d"}]})"},
      {"hours_since(last_login) < 12 or now() - date(\"2026-11-01T00:00:00Z\") < 86400000",
       R"({"or": [{"<": [{"hours_since": [{"var": "last_login"}]}, 12]},
                  {"<": [{"-": [{"now": []}, {"date": ["2026-11-01T00:00:00Z"]}]}, 86400000]}]})"},
      {"tag(\"vip\") and tag_value(\"rfm_score\") >= 4",
       R"({"and": [{"tag": ["vip"]}, {">=": [{"tag_value": ["rfm_score"]}, 4]}]})"},
      {"bucket(events(order_paid, within 90d), [1, 3, 10])",
       R"({"bucket": [{"events": [{"type": "order_paid", "within": "90d"}]}, [1, 3, 10]]})"},
      {"logistic(-2.5, [0.8, days_since(last_login)], [-1.2, events(order_paid, within 30d)]) > 0.7",
       R"({">": [{"logistic": [-2.5, [0.8, {"days_since": [{"var": "last_login"}]}],
                                [-1.2, {"events": [{"type": "order_paid", "within": "30d"}]}]]}, 0.7]})"},
      {"round(clamp(ln(x) + exp(y), 0, 1), 2)",
       R"({"round": [{"clamp": [{"+": [{"ln": [{"var": "x"}]}, {"exp": [{"var": "y"}]}]}, 0, 1]}, 2]})"},
      {"var(\"user.age\") >= 18", R"({">=": [{"var": ["user.age"]}, 18]})"},
      {"18 <= user.age <= 65", R"({"<=": [18, {"var": "user.age"}, 65]})"},
  };
  for (const TextCase& c : cases) EXPECT_EQ(Parsed(c.text), json::parse(c.json)) << c.text;
}

TEST(RuleTextTest, ParsesOperatorsWithTheUsualPrecedence) {
  const TextCase cases[] = {
      {"1 + 2 * 3", R"({"+": [1, {"*": [2, 3]}]})"},
      {"(1 + 2) * 3", R"({"*": [{"+": [1, 2]}, 3]})"},
      {"a + b + c", R"({"+": [{"var": "a"}, {"var": "b"}, {"var": "c"}]})"},
      {"(a + b) + c", R"({"+": [{"+": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]})"},
      {"a - b - c", R"({"-": [{"-": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]})"},
      {"a - b + c", R"({"+": [{"-": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]})"},
      {"a / b * c % d", R"({"%": [{"*": [{"/": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]}, {"var": "d"}]})"},
      {"a or b and c", R"({"or": [{"var": "a"}, {"and": [{"var": "b"}, {"var": "c"}]}]})"},
      {"a and b or c and d",
       R"({"or": [{"and": [{"var": "a"}, {"var": "b"}]}, {"and": [{"var": "c"}, {"var": "d"}]}]})"},
      {"a && b || !c", R"({"or": [{"and": [{"var": "a"}, {"var": "b"}]}, {"!": [{"var": "c"}]}]})"},
      {"not a == 1", R"({"!": [{"==": [{"var": "a"}, 1]}]})"},
      {"!a == 1", R"({"==": [{"!": [{"var": "a"}]}, 1]})"},
      {"not not a and b", R"({"and": [{"!": [{"!": [{"var": "a"}]}]}, {"var": "b"}]})"},
      {"!!a", R"({"!!": [{"var": "a"}]})"},
      {"-x * y", R"({"*": [{"-": [{"var": "x"}]}, {"var": "y"}]})"},
      {"-5 * y", R"({"*": [-5, {"var": "y"}]})"},
      {"-(5)", R"({"-": [5]})"},
      {"+x", R"({"+": [{"var": "x"}]})"},
      {"x - -5", R"({"-": [{"var": "x"}, -5]})"},
      {"1 < x < 10", R"({"<": [1, {"var": "x"}, 10]})"},
      {"0 <= x <= 1", R"({"<=": [0, {"var": "x"}, 1]})"},
      {"a === b", R"({"===": [{"var": "a"}, {"var": "b"}]})"},
      {"a !== b != c", ""},  // mixed chain, an error
      {"\"vip\" in tags", R"({"in": ["vip", {"var": "tags"}]})"},
      {"x in [1, 2] and y", R"({"and": [{"in": [{"var": "x"}, [1, 2]]}, {"var": "y"}]})"},
      {"if a then 1 else 2", R"({"if": [{"var": "a"}, 1, 2]})"},
      {"if a then 1", R"({"if": [{"var": "a"}, 1]})"},
      {"if a then 1 else if b then 2 else 3", R"({"if": [{"var": "a"}, 1, {"var": "b"}, 2, 3]})"},
      {"if a then 1 else (if b then 2 else 3)", R"({"if": [{"var": "a"}, 1, {"if": [{"var": "b"}, 2, 3]}]})"},
      {"if a then 1 else 2 + 3", R"({"if": [{"var": "a"}, 1, {"+": [2, 3]}]})"},
      {"(if a then 1 else 2) + 3", R"({"+": [{"if": [{"var": "a"}, 1, 2]}, 3]})"},
      {"1 + if a then 1 else 2", R"({"+": [1, {"if": [{"var": "a"}, 1, 2]}]})"},
  };
  for (const TextCase& c : cases) {
    if (std::string(c.json).empty()) {
      EXPECT_FALSE(ParseRuleText(c.text).ok()) << c.text;
      continue;
    }
    EXPECT_EQ(Parsed(c.text), json::parse(c.json)) << c.text;
  }
}

TEST(RuleTextTest, ParsesEveryFormOfTheEventsSugar) {
  const TextCase cases[] = {
      {"events()", R"({"events": [{}]})"},
      {"events(order_paid)", R"({"events": [{"type": "order_paid"}]})"},
      {"events(\"order paid\")", R"({"events": [{"type": "order paid"}]})"},
      {"events([order_paid, \"refund\"], within 12h,)",
       R"({"events": [{"type": ["order_paid", "refund"], "within": "12h"}]})"},
      {"events([])", R"({"events": [{"type": []}]})"},
      {"events(within 500ms)", R"({"events": [{"within": "500ms"}]})"},
      {"events(a, within \"P30D\", half_life 2w)",
       R"({"events": [{"type": "a", "within": "P30D", "half_life": "2w"}]})"},
      {"events(within 90s, order_paid)", R"({"events": [{"type": "order_paid", "within": "90s"}]})"},
      {"events(a, agg distinct of props.sku)", R"({"events": [{"type": "a", "agg": "distinct", "field": "props.sku"}]})"},
      {"events(a, field amount)", R"({"events": [{"type": "a", "field": "amount"}]})"},
      {"events(a, agg exists)", R"({"events": [{"type": "a", "agg": "exists"}]})"},
      {"events(a, where category == \"shoes\" and price >= 100, agg max of price)",
       R"({"events": [{"type": "a", "where": {"and": [{"==": [{"var": "category"}, "shoes"]},
                                                      {">=": [{"var": "price"}, 100]}]},
                       "agg": "max", "field": "price"}]})"},
      {"events(where if a then b else c)",
       R"({"events": [{"where": {"if": [{"var": "a"}, {"var": "b"}, {"var": "c"}]}}]})"},
      {"events(within)", R"({"events": [{"type": "within"}]})"},
      {"events(下单, within 30d, where 金额 > 20)",
       R"({"events": [{"type": "下单", "within": "30d", "where": {">": [{"var": "金额"}, 20]}}]})"},
  };
  for (const TextCase& c : cases) EXPECT_EQ(Parsed(c.text), json::parse(c.json)) << c.text;
}

TEST(RuleTextTest, ParsesLiteralsCommentsAndUnicode) {
  const TextCase cases[] = {
      {"1", "1"},
      {"1.0", "1.0"},
      {"-0.0", "-0.0"},
      {"1e3", "1e3"},
      {"-1.5E-7", "-1.5E-7"},
      {"18446744073709551615", "18446744073709551615"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"\"a\\\"b\\n\\u00e9\\ud83d\\ude00\"", R"("a\"b\né😀")"},
      {"'it\\'s \"ok\"'", R"("it's \"ok\"")"},
      {"[1, [2, []], {}, {\"a\": 1, \"b\": null}]", R"([1, [2, []], {}, {"a": 1, "b": null}])"},
      {"{\"max\": 1}", R"({"max": 1})"},
      {"{var: \"\"}", R"({"var": ""})"},
      {"{\"-\": [1, 2, 3]}", R"({"-": [1, 2, 3]})"},
      {"[a, f(), f(1,)]", R"([{"var": "a"}, {"f": []}, {"f": [1]}])"},
      {"# 高价值用户\n用户.城市 == \"上海\" # 城市\n  and 标签 in [\"😀\"]",
       R"({"and": [{"==": [{"var": "用户.城市"}, "上海"]}, {"in": [{"var": "标签"}, ["😀"]]}]})"},
      {"\xEF\xBB\xBF" "a\u3000==\u00A01", R"({"==": [{"var": "a"}, 1]})"},
      {"items.0.price", R"({"var": "items.0.price"})"},
      {"true and false or null", R"({"or": [{"and": [true, false]}, null]})"},
  };
  for (const TextCase& c : cases) {
    const json got = Parsed(c.text);
    const json want = json::parse(c.json);
    EXPECT_EQ(Dump(got), Dump(want)) << c.text;
    EXPECT_EQ(got, want) << c.text;
  }
}

struct FormatCase {
  const char* json;
  const char* text;
};

TEST(RuleTextTest, FormatsRulesReadablyWithOnlyTheNeededParentheses) {
  const FormatCase cases[] = {
      {R"({"and": [{">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 5]},
                   {">": [{"days_since": [{"var": "last_login"}]}, 30]}]})",
       "events(order_paid, within 30d) >= 5 and days_since(last_login) > 30"},
      {R"({"events": [{"type": "order_paid", "within": "30d", "where": {">": [{"var": "amount"}, 20]},
                       "agg": "sum", "field": "amount", "half_life": "7d"}]})",
       "events(order_paid, within 30d, where amount > 20, agg sum of amount, half_life 7d)"},
      {R"({"events": [{"type": ["a", "b"], "field": "x"}]})", "events([a, b], field x)"},
      {R"({"events": [{"type": "within", "within": "30 days", "agg": "of"}]})",
       R"(events("within", within "30 days", agg "of"))"},
      {R"({"events": [{}]})", "events()"},
      {R"({"events": [{"type": "a", "foo": 1}]})", R"({"events": [{"foo": 1, "type": "a"}]})"},
      {R"({"events": [{"type": 5}]})", R"({"events": [{"type": 5}]})"},
      {R"({"events": {"type": "a"}})", R"({"events": {"type": "a"}})"},
      {R"({"var": "a"})", "a"},
      {R"({"var": ["a"]})", R"(var("a"))"},
      {R"({"var": ""})", R"({"var": ""})"},
      {R"({"var": "and"})", R"({"var": "and"})"},
      {R"({"max": 1})", R"({"max": 1})"},
      {R"({"foo": [1, 2]})", "foo(1, 2)"},
      {R"({"foo bar": [1]})", R"({"foo bar": [1]})"},
      {R"({"-": [1, 2, 3]})", R"({"-": [1, 2, 3]})"},
      {R"({"-": [5]})", "-(5)"},
      {R"({"-": [{"var": "x"}]})", "-x"},
      {R"({"-": [{"-": [{"var": "x"}]}]})", "--x"},
      {R"({"+": ["3"]})", R"(+"3")"},
      {R"({"!!": [{"!": [{"var": "a"}]}]})", "!!(not a)"},
      {R"({"+": [{"+": [1, 2]}, 3]})", "(1 + 2) + 3"},
      {R"({"+": [1, 2, 3]})", "1 + 2 + 3"},
      {R"({"+": [{"-": [1, 2]}, 3]})", "1 - 2 + 3"},
      {R"({"-": [1, {"-": [2, 3]}]})", "1 - (2 - 3)"},
      {R"({"-": [{"-": [1, 2]}, 3]})", "1 - 2 - 3"},
      {R"({"*": [{"+": [1, 2]}, -3]})", "(1 + 2) * -3"},
      {R"({"<": [1, {"var": "x"}, 10]})", "1 < x < 10"},
      {R"({"<": [{"<": [1, 2]}, 3]})", "(1 < 2) < 3"},
      {R"({"==": [{"<": [1, 2]}, true]})", "(1 < 2) == true"},
      {R"({"!": [{"==": [{"var": "a"}, 1]}]})", "not a == 1"},
      {R"({"==": [{"!": [{"var": "a"}]}, 1]})", "(not a) == 1"},
      {R"({"and": [{"var": "a"}, {"!": [{"var": "b"}]}]})", "a and not b"},
      {R"({"or": [{"and": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]})", "a and b or c"},
      {R"({"and": [{"or": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]})", "(a or b) and c"},
      {R"({"and": [{"and": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]})", "(a and b) and c"},
      {R"({"if": [{"var": "a"}, 1, {"var": "b"}, 2, 3]})", "if a then 1 else if b then 2 else 3"},
      {R"({"if": [{"var": "a"}, 1, {"if": [{"var": "b"}, 2, 3]}]})", "if a then 1 else (if b then 2 else 3)"},
      {R"({"+": [{"if": [true, 1]}, 2]})", "(if true then 1) + 2"},
      {R"({"if": [{"var": "a"}]})", R"({"if": [a]})"},
      {R"({"in": ["用户", {"var": "标签"}]})", R"("用户" in 标签)"},
      {R"({"a": 1, "b": [1, 2]})", R"({"a": 1, "b": [1, 2]})"},
      {"{}", "{}"},
      {"[]", "[]"},
      {"1.0", "1.0"},
      {"-0.0", "-0.0"},
      {R"("line\nbreak \"q\" 😀")", R"("line\nbreak \"q\" 😀")"},
  };
  for (const FormatCase& c : cases) {
    const Result<std::string> text = FormatRule(json::parse(c.json));
    ASSERT_TRUE(text.ok()) << c.json << ": " << text.error().message;
    EXPECT_EQ(text.value(), c.text) << c.json;
    EXPECT_TRUE(RoundTrips(json::parse(c.json)));
  }
}

TEST(RuleTextTest, KeepsLookAlikeRulesApart) {
  // Pairs that differ only in a detail the text must not lose.
  const char* rules[] = {
      R"({"var": "a"})",      R"({"var": ["a"]})",       R"({"var": [["a"]]})",
      R"({"max": 1})",        R"({"max": [1]})",         R"({"cat": {"val": "text"}})",
      R"({"!": true})",       R"({"!": [true]})",        R"({"!": [[true]]})",
      R"(1)",                 R"(1.0)",                  R"(1.5)",
      R"(-0)",                R"(-0.0)",                 R"(0.0)",
      R"(1e300)",             R"(-1.7976931348623157e308)", R"(5e-324)",
      R"(18446744073709551615)", R"(18446744073709551616)", R"(-9223372036854775808)",
      R"(-9223372036854775809)", R"(0.1)",               R"(123456789012345678)",
      R"({"-": [5]})",        R"(-5)",                   R"({"-": [-5]})",
      R"({"a": [1]})",        R"({"a": 1})",             R"({"a": [[1]]})",
      R"({"a": {}})",         R"({"a": {"b": 1}})",      R"({"a": {"b": 1, "c": 2}})",
      R"({})",                R"([])",                   R"([[]])",
      R"([{}])",              R"("")",                   R"(null)",
      R"("a\"b\\c\n\t\u0000\u001f\u007f/")",             R"("上海 😀 é")",
      R"({"": 1})",           R"({"": []})",             R"({"events": []})",
      R"({"events": [{"type": "a"}, {"type": "b"}]})",   R"({"events": [{"type": []}]})",
      R"({"events": [{"where": [1, 2]}]})",              R"({"events": [{"where": [1, 2], "type": "x"}]})",
      R"({"events": [{"within": "030d"}]})",             R"({"events": [{"within": "30D"}]})",
      R"({"events": [{"within": "1.5h"}]})",             R"({"events": [{"within": " 30d"}]})",
      R"({"events": [{"type": "30d"}]})",                R"({"events": [{"type": "a.b"}]})",
      R"({"events": [{"agg": "sum", "field": "of"}]})",  R"({"events": [{"type": "if"}]})",
      R"({"if": []})",        R"({"if": [1]})",          R"({"if": [1, 2]})",
      R"({"?:": [1, 2, 3]})", R"({"and": []})",          R"({"and": [1]})",
      R"({"<": [1]})",        R"({"<": []})",            R"({"in": [1, 2, 3]})",
      R"({"var": "a."})",     R"({"var": "1a"})",        R"({"var": "a b"})",
      R"({"var": 1})",        R"({"var": null})",        R"({"var": "events"})",
      R"({"a.b": [1]})",      R"({"events": "x"})",      R"({"true": []})",
      R"({"!!": [{"!!": [1]}]})", R"({"+": [{"+": [1]}, 2]})", R"({"+": [-1]})",
      R"({"*": [{"/": [1, 2]}, 3]})", R"({"/": [{"*": [1, 2]}, 3]})", R"({"/": [1, {"*": [2, 3]}]})",
      R"({"!": [{"if": [1, 2, 3]}]})", R"({"if": [{"if": [1, 2]}, {"if": [3, 4]}, {"if": [5, 6]}]})",
      R"({"if": [1, {"if": [2, 3]}, 4]})", R"({"or": [{"!": [1]}, {"!": [{"or": [1, 2]}]}]})",
  };
  int count = 0;
  for (const char* rule : rules) {
    EXPECT_TRUE(RoundTrips(json::parse(rule)));
    ++count;
  }
  // Constructed in C++ rather than parsed: a signed 5 and an integral double.
  EXPECT_TRUE(RoundTrips(json::array({json(5), json(-7), json(2.0), json(-0.0)})));
  EXPECT_GT(count, 80);
}

struct ErrorCase {
  const char* text;
  ErrorCode code;
  const char* path;
};

TEST(RuleTextTest, ReportsSyntaxErrorsWithCodeAndLineColumn) {
  const ErrorCase cases[] = {
      {"", ErrorCode::kSyntax, "1:1"},
      {"  # only a comment\n", ErrorCode::kSyntax, "2:1"},
      {"events(order_paid, within 30d", ErrorCode::kSyntax, "1:30"},
      {"events(order_paid, within 30x)", ErrorCode::kSyntax, "1:27"},
      {"name == \"unterminated", ErrorCode::kSyntax, "1:9"},
      {"name == 'no\nend'", ErrorCode::kSyntax, "1:9"},
      {"(a + b", ErrorCode::kSyntax, "1:7"},
      {"a +", ErrorCode::kSyntax, "1:4"},
      {"a b", ErrorCode::kSyntax, "1:3"},
      {"a AND b", ErrorCode::kSyntax, "1:3"},
      {"a)", ErrorCode::kSyntax, "1:2"},
      {")", ErrorCode::kSyntax, "1:1"},
      {"1 < x <= 10", ErrorCode::kSyntax, "1:7"},
      {"18 <= user.age < 65", ErrorCode::kSyntax, "1:16"},
      {"a == not b", ErrorCode::kSyntax, "1:6"},
      {"-not b", ErrorCode::kSyntax, "1:2"},
      {"if a then", ErrorCode::kSyntax, "1:10"},
      {"if a b", ErrorCode::kSyntax, "1:6"},
      {"x == 30d", ErrorCode::kSyntax, "1:6"},
      {"007", ErrorCode::kSyntax, "1:1"},
      {"1.", ErrorCode::kSyntax, "1:2"},
      {"1e400", ErrorCode::kSyntax, "1:1"},
      {"a.", ErrorCode::kSyntax, "1:2"},
      {"a = 1", ErrorCode::kSyntax, "1:3"},
      {"a & b", ErrorCode::kSyntax, "1:3"},
      {"\"a\\qb\"", ErrorCode::kSyntax, "1:3"},
      {"\"\\ud800\"", ErrorCode::kSyntax, "1:2"},
      {"\"\\u12\"", ErrorCode::kSyntax, "1:2"},
      {"\"tab\there is fine, bell \x07 is not\"", ErrorCode::kSyntax, "1:25"},
      {"{\"a\": 1, \"a\": 2}", ErrorCode::kSyntax, "1:10"},
      {"{\"a\" 1}", ErrorCode::kSyntax, "1:6"},
      {"{1: 2}", ErrorCode::kSyntax, "1:2"},
      {"f(1, 2", ErrorCode::kSyntax, "1:7"},
      {"f(1 2)", ErrorCode::kSyntax, "1:5"},
      {"[1, 2", ErrorCode::kSyntax, "1:6"},
      {"f(,)", ErrorCode::kSyntax, "1:3"},
      {"events(a, within)", ErrorCode::kSyntax, "1:17"},
      {"events(a, b)", ErrorCode::kSyntax, "1:11"},
      {"events(a, within 7d, within 30d)", ErrorCode::kSyntax, "1:22"},
      {"events(a, agg sum of)", ErrorCode::kSyntax, "1:21"},
      {"events(a within 7d)", ErrorCode::kSyntax, "1:10"},
      {"events([a b])", ErrorCode::kSyntax, "1:11"},
      {"a and\nb and\n  (c or", ErrorCode::kSyntax, "3:8"},
      // Chinese text: columns are code points, so 用户.年龄 is five columns wide.
      {"用户.年龄 >= 18 and 城市 = \"上海\"", ErrorCode::kSyntax, "1:20"},
      {"用户.城市 == \"上海\" and\n  events（下单）", ErrorCode::kSyntax, "2:9"},
      {"城市 == “上海”", ErrorCode::kSyntax, "1:7"},
      {"标签 in [\"a\"，\"b\"]", ErrorCode::kSyntax, "1:11"},
      {"a == \"\xFF\"", ErrorCode::kInvalidUtf8, "1:7"},
      {"城市 == \xE4\xB8", ErrorCode::kInvalidUtf8, "1:7"},
      {"# \xC0\xAF\nx", ErrorCode::kInvalidUtf8, "1:3"},
      {"\xED\xA0\x80", ErrorCode::kInvalidUtf8, "1:1"},
  };
  for (const ErrorCase& c : cases) {
    const Result<json> r = ParseRuleText(c.text);
    ASSERT_FALSE(r.ok()) << c.text << " parsed as " << Dump(r.value());
    EXPECT_EQ(ErrorCodeName(r.error().code), ErrorCodeName(c.code)) << c.text << ": " << r.error().message;
    EXPECT_EQ(r.error().path, c.path) << c.text << ": " << r.error().message;
    EXPECT_FALSE(r.error().message.empty()) << c.text;
  }
}

TEST(RuleTextTest, ExplainsErrorsInWordsAnOperatorCanActOn) {
  // Only a few messages are pinned down; the rest are checked by code and path.
  EXPECT_EQ(ParseRuleText("events(order_paid, within 30d").error().message,
            "expected ')' to close 'events(' opened at 1:1");
  EXPECT_EQ(ParseRuleText("events(order_paid, within 30x)").error().message,
            "unknown duration unit 'x' in '30x' (use ms, s, m, h, d or w)");
  EXPECT_EQ(ParseRuleText("name == \"unterminated").error().message,
            "unterminated string: add the closing \"");
  EXPECT_EQ(ParseRuleText("a AND b").error().message,
            "expected an operator such as 'and', '==' or '+' before 'AND' (keywords are lowercase: write 'and')");
  EXPECT_EQ(ParseRuleText("events（下单）").error().message,
            "full-width '（' cannot be used here; type the ASCII '(' instead");
}

// Every rule of the official JsonLogic suite, entries [rule, data, expected].
TEST(RuleTextTest, RoundTripsEveryRuleOfTheOfficialJsonLogicSuite) {
  const json suite = testing::ReadJsonFile(testing::SharedDir() + "/conformance/jsonlogic/tests.json");
  ASSERT_TRUE(suite.is_array());
  int count = 0;
  for (const json& entry : suite) {
    if (!entry.is_array() || entry.empty()) continue;  // "# section" comments
    EXPECT_TRUE(RoundTrips(entry[0]));
    ++count;
  }
  EXPECT_GT(count, 200);
  RecordProperty("round_trips", count);
  std::printf("[ rule_text ] tests.json: %d rules round-trip\n", count);
}

TEST(RuleTextTest, RoundTripsEveryRuleOfTheCommunityJsonLogicSuites) {
  const std::string dir = testing::SharedDir() + "/conformance/jsonlogic/community/";
  const json index = testing::ReadJsonFile(dir + "index.json");
  ASSERT_TRUE(index.is_array());
  int count = 0;
  for (const json& file : index) {
    const json entries = testing::ReadJsonFile(dir + file.get<std::string>());
    ASSERT_TRUE(entries.is_array()) << file;
    for (const json& entry : entries) {
      if (!entry.is_object() || !entry.contains("rule")) continue;
      EXPECT_TRUE(RoundTrips(entry["rule"])) << file;
      ++count;
    }
  }
  EXPECT_GT(count, 500);
  RecordProperty("round_trips", count);
  std::printf("[ rule_text ] community suites (%zu files): %d rules round-trip\n", index.size(), count);
}

TEST(RuleTextTest, RoundTripsEveryRuleOfTheRuleFixtures) {
  int files = 0, count = 0;
  for (const std::string& path : testing::RuleFixtureFiles()) {
    const json fixture = testing::ReadJsonFile(path);
    ++files;
    if (!fixture.is_object() || !fixture.contains("cases")) continue;
    for (const json& c : fixture["cases"]) {
      if (!c.is_object() || !c.contains("rule")) continue;
      EXPECT_TRUE(RoundTrips(c["rule"])) << path << ": " << c.value("description", "");
      ++count;
    }
  }
  RecordProperty("round_trips", count);
  std::printf("[ rule_text ] tests/fixtures/rules (%d files): %d rules round-trip\n", files, count);
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(RuleTextTest, RejectsTenThousandNestedParenthesesAsTooDeep) {
  const Result<json> r = ParseRuleText(Repeat("(", 10000) + "1" + Repeat(")", 10000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooDeep);
  EXPECT_EQ(r.error().path, "1:129");
}

TEST(RuleTextTest, RejectsEveryKindOfDeepNestingWithoutCrashing) {
  const std::string deep[] = {
      Repeat("[", 10000),
      Repeat("{\"a\": ", 10000) + "1",
      Repeat("f(", 10000),
      Repeat("events(where ", 10000),
      Repeat("not ", 10000) + "x",
      Repeat("-", 10000) + "x",
      Repeat("!!", 10000) + "x",
      Repeat("if a then ", 10000) + "b",
      Repeat("if ", 10000) + "a",
      "a" + Repeat(" - a", 10000),
      "a" + Repeat(" / a", 10000),
  };
  for (const std::string& text : deep) {
    const Result<json> r = ParseRuleText(text);
    ASSERT_FALSE(r.ok()) << text.substr(0, 20);
    EXPECT_EQ(r.error().code, ErrorCode::kTooDeep) << text.substr(0, 20) << ": " << r.error().message;
  }
  // Long but flat is fine: one "+" with 10,001 arguments.
  const Result<json> flat = ParseRuleText("a" + Repeat(" + a", 10000));
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(flat.value()["+"].size(), 10001u);
}

TEST(RuleTextTest, AcceptsNestingUpToTheLimitOf128) {
  EXPECT_TRUE(ParseRuleText(Repeat("(", 128) + "1" + Repeat(")", 128)).ok());
  EXPECT_TRUE(ParseRuleText(Repeat("f(", 128) + "1" + Repeat(")", 128)).ok());
  EXPECT_EQ(ParseRuleText(Repeat("f(", 129) + "1" + Repeat(")", 129)).error().code, ErrorCode::kTooDeep);
  EXPECT_TRUE(ParseRuleText(Repeat("not ", 127) + "x").ok());  // 127 nots + the var: 128 levels
  EXPECT_EQ(ParseRuleText(Repeat("not ", 128) + "x").error().code, ErrorCode::kTooDeep);
}

// Builds {"!": [{"!": [... 1 ...]}]} without recursion.
json DeepNot(int levels) {
  json rule = 1;
  for (int i = 0; i < levels; ++i) {
    json args = json::array();
    args.push_back(std::move(rule));
    json op = json::object();
    op["!"] = std::move(args);
    rule = std::move(op);
  }
  return rule;
}

TEST(RuleTextTest, FormatRejectsRulesDeeperThanTheLimitWithTheirPath) {
  const Result<std::string> r = FormatRule(DeepNot(10000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooDeep);
  EXPECT_EQ(r.error().path, Repeat("/!/0", 128));
  EXPECT_TRUE(RoundTrips(DeepNot(128)));
  EXPECT_EQ(FormatRule(DeepNot(129)).error().code, ErrorCode::kTooDeep);
}

TEST(RuleTextTest, FormatRejectsWhatTextCannotHold) {
  const Result<std::string> bad_utf8 = FormatRule(json("\xFF"));
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_EQ(bad_utf8.error().code, ErrorCode::kInvalidUtf8);
  EXPECT_EQ(bad_utf8.error().path, "");

  json rule = json::parse(R"({"and": [true, {"==": [{"var": "a"}, "x"]}]})");
  rule["and"][1]["=="][1] = "caf\xE9";
  const Result<std::string> r = FormatRule(rule);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidUtf8);
  EXPECT_EQ(r.error().path, "/and/1/==/1");

  json nan = json::parse(R"({"<": [{"var": "a"}, 0]})");
  nan["<"][1] = std::nan("");
  EXPECT_EQ(FormatRule(nan).error().code, ErrorCode::kInvalidRule);
  EXPECT_EQ(FormatRule(nan).error().path, "/</1");
  EXPECT_EQ(FormatRule(json(1.0 / 0.0)).error().code, ErrorCode::kInvalidRule);
}

// A small deterministic generator of arbitrary JSON rules, biased towards the
// shapes the text form treats specially.
class RuleGenerator {
 public:
  explicit RuleGenerator(unsigned seed) : rng_(seed) {}

  json Rule(int budget) {
    const int pick = Below(budget <= 0 ? 4 : 12);
    if (pick < 4) return Scalar();
    if (pick < 5) return Array(budget);
    if (pick < 6) return DataObject(budget);
    if (pick < 7) return Events(budget);
    return Operation(budget);
  }

 private:
  int Below(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  json Scalar() {
    static const char* kStrings[] = {"", "a", "user.age", "30d", "and", "if", "within", "of", "上海",
                                     "😀", "a\"b", "line\nbreak", "\\", "'", "a b", "1a", "_x", "a.0"};
    switch (Below(12)) {
      case 0: return nullptr;
      case 1: return Below(2) == 0;
      case 2: return Below(201) - 100;
      case 3: return static_cast<std::uint64_t>(rng_()) * 4294967296ull + rng_();
      case 4: return -static_cast<std::int64_t>(rng_() % 1000000007ull);
      case 5: return std::ldexp(static_cast<double>(Below(2001) - 1000), Below(200) - 100);
      case 6: return Below(2) ? 1.0 : -0.0;
      case 7: return 0.1 * Below(50);
      default: return kStrings[Below(static_cast<int>(sizeof kStrings / sizeof *kStrings))];
    }
  }

  json Array(int budget) {
    json a = json::array();
    for (int n = Below(4); n > 0; --n) a.push_back(Rule(budget - 1));
    return a;
  }

  json DataObject(int budget) {
    json o = json::object();
    const int keys = Below(2) ? 0 : 2 + Below(2);
    for (int i = 0; i < keys; ++i) o["k" + std::to_string(i)] = Rule(budget - 1);
    return o;
  }

  json Events(int budget) {
    static const char* kKeys[] = {"type", "within", "where", "agg", "field", "half_life", "type"};
    static const char* kNames[] = {"order_paid", "下单", "30d", "within", "of", "a b", "sum", "7d", "1.5h"};
    json spec = json::object();
    for (int n = Below(5); n > 0; --n) {
      const std::string key = kKeys[Below(7)];
      if (key == "where") {
        spec[key] = Rule(budget - 1);
      } else if (key == "type" && Below(3) == 0) {
        spec[key] = json::array({kNames[Below(9)], kNames[Below(9)]});
      } else {
        spec[key] = Below(10) == 0 ? Scalar() : json(kNames[Below(9)]);
      }
    }
    if (Below(10) == 0) spec["extra"] = 1;
    json args = json::array();
    args.push_back(std::move(spec));
    return json{{"events", std::move(args)}};
  }

  json Operation(int budget) {
    static const char* kOps[] = {"and", "or",  "==", "!=", "===", "!==", "<",   "<=",  ">",
                                 ">=",  "in",  "+",  "-",  "*",   "/",   "%",   "!",   "!!",
                                 "if",  "var", "max", "cat", "days_since", "?:", "foo bar", "", "not",
                                 "events", "a.b"};
    const std::string op = kOps[Below(static_cast<int>(sizeof kOps / sizeof *kOps))];
    json args;
    if (Below(8) == 0) {
      args = Rule(budget - 1);
    } else {
      args = json::array();
      const int n = Below(8) == 0 ? 0 : 1 + Below(4);
      for (int i = 0; i < n; ++i) args.push_back(Rule(budget - 1));
    }
    return json{{op, std::move(args)}};
  }

  std::mt19937 rng_;
};

TEST(RuleTextTest, RoundTripsThousandsOfGeneratedRules) {
  RuleGenerator gen(20240601);
  int count = 0;
  for (int i = 0; i < 5000; ++i) {
    const json rule = gen.Rule(1 + i % 6);
    ASSERT_TRUE(RoundTrips(rule)) << "case " << i;
    ++count;
  }
  RecordProperty("round_trips", count);
}

// Random token soup: whatever parses must format and parse back identically,
// and nothing may crash.
TEST(RuleTextTest, ReadsArbitraryTextWithoutCrashingAndConsistently) {
  static const char* kTokens[] = {
      "(", ")", "[", "]", "{", "}", ",", ":", " a", " user.age", " 1", " 1.5", " -0.0", "-", "+", "*", "/",
      " not ", " and ", " or ", " in ", " if ", " then ", " else ", "events(", " within ", " 30d", " where ",
      " agg ", " sum", " of ", " field ", "\"s\"", "'t'", "==", "<", "<=", "!", "!!", " null", " true",
      "f(", " 用户", "\n", "#c\n", "\"k\": ", " half_life ", " 7d", "\"😀\""};
  std::mt19937 rng(7);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int n = 1 + static_cast<int>(rng() % 12); n > 0; --n) text += kTokens[rng() % (sizeof kTokens / sizeof *kTokens)];
    const Result<json> r = ParseRuleText(text);
    if (!r.ok()) {
      const std::string& path = r.error().path;
      EXPECT_NE(path.find(':'), std::string::npos) << text;
      continue;
    }
    ++parsed;
    ASSERT_TRUE(RoundTrips(r.value())) << "from text: " << text;
  }
  std::mt19937 bytes(11);
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    for (int n = static_cast<int>(bytes() % 24); n > 0; --n) text += static_cast<char>(bytes() % 256);
    const Result<json> r = ParseRuleText(text);
    if (r.ok()) {
      EXPECT_TRUE(RoundTrips(r.value())) << text;
    }
  }
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace tagwise
