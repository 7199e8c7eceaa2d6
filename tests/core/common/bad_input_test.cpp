// Bad input never crashes, aborts or hangs: it gets an error value or a
// defined JsonLogic result.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/catalog.h"
#include "tagwise/condition.h"
#include "tagwise/json_text.h"
#include "tagwise/profile.h"
#include "tagwise/rule.h"

namespace tagwise {
namespace {

using nlohmann::json;

TEST(BadInputTest, MalformedJsonTextNamesTheByte) {
  CompileResult r = CompileRuleText(R"({"and": [true, }")");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kInvalidJson);
  EXPECT_NE(r.issues[0].message.find("byte"), std::string::npos);
}

TEST(BadInputTest, TenThousandLevelsOfNestingAreRefused) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += R"({"!":[)";
  text += "true";
  for (int i = 0; i < 10000; ++i) text += "]}";
  CompileResult r = CompileRuleText(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kTooDeep);
}

TEST(BadInputTest, DeepRuleBuiltInMemoryIsRefusedByTheCompiler) {
  json rule = true;
  for (int i = 0; i < 300; ++i) rule = json{{"!", json::array({rule})}};
  CompileResult r = CompileRule(rule);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kTooDeep);
}

TEST(BadInputTest, OversizedRuleIsRefused) {
  json big = json::array();
  for (int i = 0; i < 200; ++i) big.push_back(json{{"var", "x"}});
  CompileOptions options;
  options.max_nodes = 100;
  CompileResult r = CompileRule(json{{"cat", big}}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kTooLarge);
}

TEST(BadInputTest, HugeLiteralArraysWork) {
  json big = json::array();
  for (int i = 0; i < 200000; ++i) big.push_back(i);
  CompileResult r = CompileRule(json{{"in", json::array({199999, big})}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.rule->Evaluate(json::object(), EvalContext{}).value(), json(true));
}

// Issue 24's abort storm: a list doubled in `reduce` reaches 2^26 items in
// 26 steps, far under the step bound; it used to exhaust the wasm heap. The
// byte budget stops it (and `try` cannot catch it), while the same shapes on
// ordinary sizes still evaluate.
TEST(BadInputTest, ValuesThatDoubleHitTheByteBudget) {
  json items = json::array();
  for (int i = 0; i < 26; ++i) items.push_back(i);
  const json data = {{"a", items}};
  auto eval = [&](const char* text, const json& d, int64_t budget = EvalOptions{}.max_built_bytes) {
    CompileResult r = CompileRule(json::parse(text));
    EXPECT_TRUE(r.ok()) << text;
    EvalContext ctx;
    ctx.options.max_built_bytes = budget;
    return r.rule->Evaluate(d, ctx);
  };
  for (const char* doubling : {
           R"({"reduce":[{"var":"a"},{"merge":[{"var":"accumulator"},{"var":"accumulator"}]},[1]]})",
           R"({"reduce":[{"var":"a"},{"merge":[[{"var":"accumulator"}],[{"var":"accumulator"}]]},[1]]})",
           R"({"reduce":[{"var":"a"},{"cat":[{"var":"accumulator"},{"var":"accumulator"}]},"xy"]})",
           R"({"try":[{"reduce":[{"var":"a"},{"cat":[{"var":"accumulator"},{"var":"accumulator"}]},"xy"]}, 0]})",
           R"({"reduce":[{"var":"a"},{"map":[{"merge":[{"var":"accumulator"},{"var":"accumulator"}]},{"var":""}]},[1]]})",
       }) {
    auto v = eval(doubling, data, int64_t{4} << 20);  // 4 MiB: the same stop, sooner
    ASSERT_FALSE(v.ok()) << doubling;
    EXPECT_EQ(v.error().code, ErrorCode::kBudgetExceeded) << doubling;
    EXPECT_NE(v.error().message.find("budget"), std::string::npos);
    EXPECT_EQ(v.error().path.rfind("/", 0), 0u) << "the node's JSON Pointer: " << v.error().path;
  }
  // The path is the node that grew the value: here the merge, /reduce/1.
  EXPECT_EQ(eval(R"({"reduce":[{"var":"a"},{"merge":[{"var":"accumulator"},{"var":"accumulator"}]},[1]]})", data)
                .error().path,
            "/reduce/1");
  // Ten doublings (1,024 items) are fine, as is a map over 100,000 items.
  json ten = json::array();
  for (int i = 0; i < 10; ++i) ten.push_back(i);
  auto small = eval(R"({"reduce":[{"var":"a"},{"merge":[{"var":"accumulator"},{"var":"accumulator"}]},[1]]})", json{{"a", ten}});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small.value().size(), 1024u);
  json many = json::array();
  for (int i = 0; i < 100000; ++i) many.push_back(i);
  auto mapped = eval(R"({"map":[{"var":"a"},{"cat":["#",{"var":""}]}]})", json{{"a", many}});
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped.value()[99999], "#99999");
  // The budget is an option: the same map fails under 1 MiB.
  auto tight = eval(R"({"map":[{"var":"a"},{"cat":["#",{"var":""}]}]})", json{{"a", many}}, int64_t{1} << 20);
  ASSERT_FALSE(tight.ok());
  EXPECT_EQ(tight.error().code, ErrorCode::kBudgetExceeded);
}

// `reduce` that appends to its accumulator with cat / merge extends it in
// place; the answers equal the generic path's, which a body wrapped in one
// more cat / merge still takes.
TEST(BadInputTest, ReduceAppendsInPlaceWithTheGenericAnswers) {
  const json data = json::parse(R"({"xs": ["a", 1, null, [2, 3], "中文", {"k": 1}, true, 2.5]})");
  auto eval = [&](const std::string& text, const json& d) {
    CompileResult r = CompileRule(json::parse(text));
    EXPECT_TRUE(r.ok()) << text;
    auto v = r.rule->Evaluate(d, EvalContext{});
    EXPECT_TRUE(v.ok()) << text;
    return v.ok() ? v.value() : json("failed");
  };
  const char* acc = R"({"var":"accumulator"})";
  const std::string wrapped_cat = R"({"cat":[{"var":"accumulator"}]})";
  const std::string wrapped_merge = R"({"merge":[{"var":"accumulator"}]})";
  for (const char* init : {R"("")", R"("start-")", "[]", "[0]", "null", "7"}) {
    for (const char* rest : {R"({"var":"current"})", R"({"var":"current"}, "-")", R"({"var":"accumulator"})",
                             R"([{"var":"accumulator"}], {"var":"current"})", ""}) {
      const std::string tail = std::string(rest).empty() ? "" : std::string(",") + rest;
      for (const char* op : {"cat", "merge"}) {
        const std::string wrap = std::string(op) == "cat" ? wrapped_cat : wrapped_merge;
        const std::string fast = std::string(R"({"reduce":[{"var":"xs"},{")") + op + R"(":[)" + acc + tail + "]}," + init + "]}";
        const std::string slow = std::string(R"({"reduce":[{"var":"xs"},{")") + op + R"(":[)" + wrap + tail + "]}," + init + "]}";
        EXPECT_EQ(eval(fast, data), eval(slow, data)) << fast;
      }
    }
  }
  // Linear: 100,000 items (this took about a minute when each step copied).
  json many = json::array();
  for (int i = 0; i < 100000; ++i) many.push_back("ab");
  auto text = eval(R"({"reduce":[{"var":"xs"},{"cat":[{"var":"accumulator"},{"var":"current"}]},""]})", json{{"xs", many}});
  EXPECT_EQ(text.get_ref<const std::string&>().size(), 200000u);
  auto list = eval(R"({"reduce":[{"var":"xs"},{"merge":[{"var":"accumulator"},[{"var":"current"}]]},[]]})", json{{"xs", many}});
  EXPECT_EQ(list.size(), 100000u);
}

// A counted repeat over a long attribute used to cost subject x program
// size (29 s); the regex spends the evaluation's steps and stops at the limit.
TEST(BadInputTest, RegexWorkCountsAgainstTheStepLimit) {
  CompileResult c = CompileCondition(json::parse(R"({"bio": {"$regex": "x{0,9000}y"}})"));
  ASSERT_TRUE(c.ok());
  EvalContext ctx;
  ctx.options.max_steps = 2'000'000;
  auto v = c.rule->Evaluate(json{{"bio", std::string(200000, 'x')}}, ctx);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kEvaluationLimit);
  auto fine = c.rule->Evaluate(json{{"bio", std::string(200, 'x') + "y"}}, ctx);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine.value(), true);
}

TEST(BadInputTest, RunawayIterationHitsTheStepLimit) {
  json big = json::array();
  for (int i = 0; i < 2000; ++i) big.push_back(i);
  // 2000 x 2000 nested map: 4 million body evaluations.
  json rule = {{"map", json::array({{{"var", "a"}}, {{"map", json::array({big, {{"+", json::array({1, {{"var", ""}}})}}})}}})}};
  CompileResult r = CompileRule(rule);
  ASSERT_TRUE(r.ok());
  EvalContext ctx;
  ctx.options.max_steps = 100000;
  auto v = r.rule->Evaluate(json{{"a", big}}, ctx);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kEvaluationLimit);
}

TEST(BadInputTest, NanAndInfinityInDataFollowJs) {
  CompileResult r = CompileRule(json::parse(R"({"+": [{"var": "x"}, 1]})"));
  ASSERT_TRUE(r.ok());
  auto v = r.rule->Evaluate(json{{"x", std::nan("")}}, EvalContext{});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(std::isnan(v.value().get<double>()));
  v = r.rule->Evaluate(json{{"x", HUGE_VAL}}, EvalContext{});
  EXPECT_TRUE(std::isinf(v.value().get<double>()));
}

TEST(BadInputTest, InvalidUtf8IsAnErrorWithAPath) {
  json rule = json{{"==", json::array({json{{"var", "name"}}, std::string("\xC3\x28")})}};
  CompileResult r = CompileRule(rule);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kInvalidUtf8);
  EXPECT_EQ(r.issues[0].path, "/==/1");
  CompileResult t = CompileRuleText("{\"var\": \"\xC3\x28\"}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.issues[0].code, ErrorCode::kInvalidUtf8);
}

TEST(BadInputTest, WrongTypesInDataGiveJsonLogicResults) {
  CompileResult r = CompileRule(json::parse(
      R"({"and": [{">=": [{"events": [{"type": "x"}]}, 0]}, {"in": ["a", {"var": "n"}]}, {"substr": [{"var": "n"}, 1]}]})"));
  ASSERT_TRUE(r.ok());
  auto v = r.rule->Evaluate(json{{"n", 12345}}, EvalContext{});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value(), json(false));  // `in` on a number is false, as in json-logic-js
}

TEST(BadInputTest, NonObjectRulesAreLiterals) {
  for (const json& literal : {json(1), json("text"), json(nullptr), json::array({1, 2})}) {
    CompileResult r = CompileRule(literal);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.rule->Evaluate(json::object(), EvalContext{}).value(), literal);
  }
}

TEST(BadInputTest, BadProfileIsAnErrorNotACrash) {
  EXPECT_FALSE(Profile::FromJson(json("nope")).ok());
  EXPECT_FALSE(Profile::FromJson(json{{"events", 5}}).ok());
}

// Found by the fuzzers (fuzz/regressions/): a number too large for a double
// made nlohmann throw out_of_range, which escaped as an exception (an abort in
// a page) instead of an invalid_json error.
TEST(BadInputTest, NumbersBeyondADoubleAreInvalidJsonNotACrash) {
  CompileResult r = CompileRuleText(R"({">": [{"var": "x"}, 9e309]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kInvalidJson);
  CatalogLoadResult c = Catalog::LoadText(R"({"tags": [{"id": "a", "when": {">": [{"var": "x"}, 1e400]}}]})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.errors[0].code, ErrorCode::kInvalidJson);
  // The fast reader (sessions read catalogs, profiles and events with it)
  // refuses them too, as nlohmann does, instead of reading Infinity.
  for (const char* text : {"1e400", "[-1e400]", R"({"events": [{"props": {"amount": 2e308}}]})"}) {
    Result<json> fast = ParseFast(text, "profile");
    ASSERT_FALSE(fast.ok()) << text;
    EXPECT_EQ(fast.error().code, ErrorCode::kInvalidJson) << text;
  }
  EXPECT_TRUE(ParseFast("1.7976931348623157e308", "profile").ok());
}

// Pages may hand over fetched bytes as they are (setProfile(arrayBuffer)):
// the fast reader checks the UTF-8 of strings and keys, so ill-formed bytes
// are an invalid_utf8 error with the byte, never kept or replaced silently.
TEST(BadInputTest, TheFastReaderRefusesIllFormedUtf8WithItsByte) {
  for (const std::string text : {std::string("{\"user_id\": \"a\xC3\"}"), std::string("{\"\xFF\": 1}"),
                                 std::string("[\"\xE4\xBD\"]"), std::string("[\"x\\n\xED\xA0\x80\"]")}) {
    Result<json> fast = ParseFast(text, "profile");
    ASSERT_FALSE(fast.ok()) << text;
    EXPECT_EQ(fast.error().code, ErrorCode::kInvalidUtf8) << text;
    EXPECT_NE(fast.error().message.find("not valid UTF-8 at byte"), std::string::npos) << fast.error().message;
  }
  Result<json> chinese = ParseFast("{\"标签\": [\"高价值\\n流失风险\"]}", "profile");
  ASSERT_TRUE(chinese.ok());
  EXPECT_EQ(chinese.value()["标签"][0], "高价值\n流失风险");
}

// Found by fuzz/store_fuzzer: a time read as seconds (x1000) that was still
// below the plausible range was multiplied again on every reload.
TEST(BadInputTest, RepairingATimeInSecondsIsIdempotent) {
  for (double ts : {5.0, 176376.96, 1763800000.0}) {
    json j = {{"events", {{{"id", "a"}, {"type", "t"}, {"ts", ts}}}}};
    Result<Profile> once = Profile::FromJson(j);
    ASSERT_TRUE(once.ok());
    Result<Profile> twice = Profile::FromJson(once.value().ToJson());
    ASSERT_TRUE(twice.ok());
    ASSERT_EQ(twice.value().events().size(), 1u);
    EXPECT_EQ(twice.value().events()[0].ts, once.value().events()[0].ts) << ts;
  }
  // A plausible time in seconds is still repaired, once.
  Result<Profile> s = Profile::FromJson(json{{"events", {{{"id", "a"}, {"type", "t"}, {"ts", 1763800000}}}}});
  EXPECT_EQ(s.value().events()[0].ts, 1763800000000);
}

// Found by fuzz/profile_fuzzer (fuzz/regressions/profile/derived-id-of-a-long-type-too-long):
// an event without an id, of a 250-byte type, got a derived id over the
// 256-byte id limit, so reading the profile back skipped it.
TEST(BadInputTest, DerivedIdsOfLongTypesStayWithinTheIdLimit) {
  for (const std::string& type : {std::string(256, 't'), std::string(250, 'v'), std::string(85, 'x') + "高活跃用户行为"}) {
    std::vector<Error> warnings;
    Result<Event> e = ParseEvent(json{{"type", type}, {"ts", 1763800000000}, {"props", {{"a", 1}}}}, "", &warnings);
    ASSERT_TRUE(e.ok());
    EXPECT_LE(e.value().id.size(), ProfileLimits{}.max_string_bytes) << e.value().id;
    Profile p;
    ASSERT_TRUE(p.AddEvent(e.value()));
    Result<Profile> back = Profile::FromJson(p.ToJson());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value().ToJson(), p.ToJson());
  }
  // The shown part is cut on a character boundary, and the hash covers the
  // whole type: long types with the same first 128 bytes get different ids.
  const std::string prefix(127, 'p');
  Result<Event> a = ParseEvent(json{{"type", prefix + "高a"}, {"ts", 1}}, "");
  Result<Event> b = ParseEvent(json{{"type", prefix + "高b"}, {"ts", 1}}, "");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().id.substr(0, 5 + 127 + 1), "auto:" + prefix + ":");
  EXPECT_NE(a.value().id, b.value().id);
  // Short types keep the ids they always had (stored events still dedupe).
  Result<Event> s = ParseEvent(json{{"type", "view"}, {"ts", 1}, {"props", {{"a", 1}}}}, "");
  EXPECT_EQ(s.value().id.substr(0, 12), "auto:view:1:");
}

// Found by fuzz/rule_json_fuzzer (fuzz/regressions/rule_json/missing-some-huge-count):
// casting a huge count to size_t was undefined behaviour.
TEST(BadInputTest, HugeCountsInMissingSomeAndValAreClamped) {
  CompileResult r = CompileRule(json::parse(R"({"missing_some": [7.7e109, ["a", "b", "c"]]})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.rule->Evaluate(json{{"a", 1}}, EvalContext{}).value(), json::parse(R"(["b", "c"])"));
  CompileResult v = CompileRule(json::parse(R"({"val": [[1e300], "a"]})"));
  ASSERT_TRUE(v.ok()) << FormatIssues(v.issues);
  EXPECT_TRUE(v.rule->Evaluate(json{{"a", 1}}, EvalContext{}).ok());
}

}  // namespace
}  // namespace tagwise
