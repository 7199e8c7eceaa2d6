// tests/core/condition_test.cpp <-> core/src/rules/condition_compiler.cpp (plus the
// kCond* cases of evaluator.cpp): GrowthBook's MongoDB-style conditions.
// Every expected value in the operator table was produced by
// @growthbook/growthbook 1.8.0's evalCondition; tests/js/conditions_growthbook.test.mjs
// checks thousands of generated conditions against it through wasm.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/condition.h"

namespace tagwise {
namespace {

using nlohmann::json;

// Compiles (must succeed) and evaluates; returns the boolean.
bool Holds(const json& condition, const json& attributes, const ConditionOptions& options = {}) {
  CompileResult c = CompileCondition(condition, options);
  EXPECT_TRUE(c.ok()) << condition.dump() << "\n" << FormatIssues(c.issues);
  if (!c.ok()) return false;
  Result<json> r = c.rule->Evaluate(attributes, EvalContext{});
  EXPECT_TRUE(r.ok()) << condition.dump();
  if (!r.ok()) return false;
  EXPECT_TRUE(r.value().is_boolean());
  return r.value() == true;
}

// The first issue of a condition that must not compile.
Error FirstError(const json& condition, const ConditionOptions& options = {}) {
  CompileResult c = CompileCondition(condition, options);
  EXPECT_FALSE(c.ok()) << condition.dump();
  for (const Error& e : c.issues) {
    if (e.severity == Severity::kError) return e;
  }
  ADD_FAILURE() << "no error for " << condition.dump();
  return Error{};
}

struct OperatorCase {
  const char* description;
  const char* condition;
  bool expected;  // GrowthBook's answer on kAttributes
};

constexpr const char* kAttributes = R"({"name":"王者","age":30,"score":"42","country":"CN","tags":["vip","new",7],"empty":[],"nums":[1,5,10],"user":{"address":{"city":"上海"},"langs":["zh","en"]},"items":[{"sku":"A1","qty":2},{"sku":"B2","qty":0},null],"version":"2.10.0-beta.1","flag":false,"zero":0,"nil":null,"obj":{"a":1,"b":[2]},"email":"Li.Lei@Example.com"})";

constexpr OperatorCase kOperatorCases[] = {
    {"string literal compares value + \"\"", R"({"age":"30"})", true},
    {"string literal on an array joins it", R"({"tags":"vip,new,7"})", true},
    {"string literal \"null\" matches a missing attribute", R"({"missing":"null"})", true},
    {"number literal compares value * 1", R"({"score":42})", true},
    {"number literal 0 matches null", R"({"nil":0})", true},
    {"number literal on a one-element array", R"({"user.langs.length":2})", true},
    {"boolean literal false matches 0 but not null", R"({"zero":false,"nil":false})", false},
    {"boolean literal true matches an empty array (JS truthiness)", R"({"empty":true})", true},
    {"null literal matches a missing path", R"({"user.address.zip":null})", true},
    {"array literal compares JSON", R"({"nums":[1,5,10]})", true},
    {"object literal compares JSON", R"({"obj":{"a":1,"b":[2]}})", true},
    {"object literal differing", R"({"obj":{"a":1}})", false},
    {"empty object literal matches only {}", R"({"obj":{}})", false},
    {"$eq is strict", R"({"score":{"$eq":42}})", false},
    {"$eq on strings", R"({"country":{"$eq":"CN"}})", true},
    {"$eq never matches an array", R"({"nums":{"$eq":[1,5,10]}})", false},
    {"$ne", R"({"country":{"$ne":"SG"}})", true},
    {"$gt number vs numeric string", R"({"score":{"$gt":41}})", true},
    {"$gt strings compare by code units", R"({"country":{"$gt":"AB"}})", true},
    {"$lt null counts as 0", R"({"missing":{"$lt":1}})", true},
    {"$lte NaN is false", R"({"name":{"$lte":100}})", false},
    {"$gte", R"({"age":{"$gte":30}})", true},
    {"$gt array vs number", R"({"user.langs.length":{"$gt":1}})", true},
    {"$exists true", R"({"user.address.city":{"$exists":true}})", true},
    {"$exists false on a present null", R"({"nil":{"$exists":false}})", true},
    {"$in", R"({"country":{"$in":["SG","CN"]}})", true},
    {"$in is strict", R"({"score":{"$in":[42]}})", false},
    {"$in intersects an array attribute", R"({"tags":{"$in":["old",7]}})", true},
    {"$in with an empty array attribute", R"({"empty":{"$in":[null]}})", false},
    {"$nin", R"({"country":{"$nin":["SG"]}})", true},
    {"$nin with an intersecting array", R"({"tags":{"$nin":["vip"]}})", false},
    {"$ini ignores case", R"({"country":{"$ini":["cn"]}})", true},
    {"$nini ignores case", R"({"country":{"$nini":["cn"]}})", false},
    {"$all", R"({"tags":{"$all":["vip",7]}})", true},
    {"$all missing one", R"({"tags":{"$all":["vip","gold"]}})", false},
    {"$all with operator conditions", R"({"nums":{"$all":[{"$gt":8},{"$lt":2}]}})", true},
    {"$all on a non-array", R"({"country":{"$all":[]}})", false},
    {"$alli", R"({"tags":{"$alli":["VIP","New"]}})", true},
    {"$size", R"({"tags":{"$size":3}})", true},
    {"$size with an operator", R"({"tags":{"$size":{"$gte":4}}})", false},
    {"$size on a non-array", R"({"country":{"$size":2}})", false},
    {"$elemMatch with operators", R"({"nums":{"$elemMatch":{"$gt":9}}})", true},
    {"$elemMatch with a condition on objects", R"({"items":{"$elemMatch":{"sku":"B2","qty":{"$lt":1}}}})", true},
    {"$elemMatch skips null elements", R"({"items":{"$elemMatch":{"sku":null}}})", false},
    {"$elemMatch with {} matches any non-null element", R"({"items":{"$elemMatch":{}}})", true},
    {"$type", R"({"tags":{"$type":"array"}})", true},
    {"$type null for missing", R"({"missing":{"$type":"null"}})", true},
    {"$type object", R"({"obj":{"$type":"object"}})", true},
    {"$not", R"({"country":{"$not":{"$in":["SG"]}}})", true},
    {"$not of a literal", R"({"country":{"$not":"CN"}})", false},
    {"$regex", R"({"email":{"$regex":"@example\\.com$"}})", false},
    {"$regexi", R"({"email":{"$regexi":"@example\\.com$"}})", true},
    {"$regex reads String(value)", R"({"missing":{"$regex":"^nu"}})", true},
    {"$regex on Chinese", R"({"user.address.city":{"$regex":"^上"}})", true},
    {"$veq ignores build metadata and a leading v", R"({"version":{"$veq":"v2.10.0-beta.1+7"}})", true},
    {"$vgt numeric parts", R"({"version":{"$vgt":"2.9.9"}})", true},
    {"$vlt prerelease before release", R"({"version":{"$vlt":"2.10.0"}})", true},
    {"$vgte", R"({"version":{"$vgte":"2.10.0-beta.1"}})", true},
    {"$vlte", R"({"version":{"$vlte":"2.10.0-alpha"}})", false},
    {"$vne", R"({"version":{"$vne":"2.10.0-beta.1"}})", false},
    {"several operators are all required", R"({"age":{"$gt":18,"$lt":30}})", false},
    {"$and", R"({"$and":[{"country":"CN"},{"age":{"$gte":18}}]})", true},
    {"$or", R"({"$or":[{"country":"SG"},{"age":31}]})", false},
    {"empty $or holds", R"({"$or":[]})", true},
    {"$nor", R"({"$nor":[{"country":"SG"},{"age":31}]})", true},
    {"empty $nor does not hold", R"({"$nor":[]})", false},
    {"$not at condition level", R"({"$not":{"country":"CN"}})", false},
    {"empty condition holds", R"({})", true},
    {"nested index path", R"({"items.0.sku":"A1"})", true},
    {"strings are not traversed", R"({"name.length":{"$exists":true}})", false},
    {"Chinese attribute names", R"({"name":{"$in":["王者","青铜"]}})", true},
};

TEST(ConditionTest, EveryOperatorGivesGrowthBooksAnswer) {
  const json attributes = json::parse(kAttributes);
  for (const OperatorCase& c : kOperatorCases) {
    EXPECT_EQ(Holds(json::parse(c.condition), attributes), c.expected) << c.description << ": " << c.condition;
  }
}

TEST(ConditionTest, NestedPathsReadObjectsArraysAndLength) {
  const json a = json::parse(R"({"user": {"profile": {"tier": "gold"}}, "orders": [{"total": 99}, {"total": 250}],
                                  "tags": ["a", "b"], "name": "abc", "dotted.key": 1})");
  EXPECT_TRUE(Holds(json::parse(R"({"user.profile.tier": "gold"})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"orders.1.total": {"$gt": 200}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"orders.length": 2, "tags.length": {"$lte": 2}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"orders.01.total": null, "orders.2.total": null})"), a));  // not an index / out of range
  EXPECT_TRUE(Holds(json::parse(R"({"name.0": null, "name.length": null})"), a));             // strings are not traversed
  EXPECT_TRUE(Holds(json::parse(R"({"dotted.key": null})"), a));  // a dot always splits the path
  EXPECT_TRUE(Holds(json::parse(R"({"user.profile.tier.x": {"$exists": false}})"), a));
}

TEST(ConditionTest, MixedTypeComparisonsFollowJavaScript) {
  const json a = json::parse(R"({"s": "10", "n": 9, "b": true, "arr": [3], "o": {"k": 1}, "nil": null})");
  EXPECT_TRUE(Holds(json::parse(R"({"s": {"$gt": 9}})"), a));      // "10" > 9: numeric
  EXPECT_FALSE(Holds(json::parse(R"({"s": {"$gt": "9"}})"), a));   // "10" > "9": string order
  EXPECT_TRUE(Holds(json::parse(R"({"b": {"$gte": 1}})"), a));     // true >= 1
  EXPECT_TRUE(Holds(json::parse(R"({"arr": {"$gt": 2}})"), a));    // [3] > 2
  EXPECT_FALSE(Holds(json::parse(R"({"o": {"$gt": 0}})"), a));     // NaN
  EXPECT_TRUE(Holds(json::parse(R"({"o": {"$gte": "[object Object]"}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"nil": {"$lte": 0}, "missing": {"$gte": 0}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"n": "9", "b": 1, "s": 10})"), a));  // literal forms coerce
  EXPECT_FALSE(Holds(json::parse(R"({"n": {"$eq": "9"}})"), a));         // $eq does not
}

TEST(ConditionTest, CaseInsensitiveOperatorsUseJavaScriptLowerCase) {
  const json a = json::parse(R"({"city": "İSTANBUL", "word": "ΟΔΟΣ", "tags": ["Straße", "ǅ"]})");
  EXPECT_TRUE(Holds(json::parse("{\"city\": {\"$ini\": [\"i\xCC\x87stanbul\"]}}"), a));  // İ lower-cases to i + U+0307
  EXPECT_FALSE(Holds(json::parse(R"({"city": {"$ini": ["istanbul"]}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"word": {"$ini": ["οδος"]}})"), a));   // final sigma
  EXPECT_FALSE(Holds(json::parse(R"({"word": {"$ini": ["οδοσ"]}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"tags": {"$alli": ["STRASSE"]}})"), a) == false);  // no case folding of ß
  EXPECT_TRUE(Holds(json::parse(R"({"tags": {"$alli": ["straße", "ǆ"]}})"), a));
}

TEST(ConditionTest, SavedGroupsListsConditionsAndCycles) {
  const json groups = json::parse(R"({
      "beta": ["u1", "u7", 7],
      "cn": {"type": "list", "values": ["CN", "HK"], "attributeKey": "country"},
      "adults": {"type": "condition", "condition": {"age": {"$gte": 18}}},
      "either": {"type": "condition", "condition": {"$or": [{"$savedGroup": {"id": "cn"}}, {"$savedGroup": {"id": "adults"}}]}},
      "loop": {"type": "condition", "condition": {"$savedGroup": {"id": "loop"}}}})");
  ConditionOptions o;
  o.saved_groups = &groups;
  const json user = json::parse(R"({"id": "u7", "country": "SG", "age": 20, "ids": [3, 7]})");
  EXPECT_TRUE(Holds(json::parse(R"({"id": {"$inGroup": "beta"}})"), user, o));
  EXPECT_TRUE(Holds(json::parse(R"({"ids": {"$inGroup": "beta"}})"), user, o));  // arrays intersect
  EXPECT_FALSE(Holds(json::parse(R"({"id": {"$notInGroup": "beta"}})"), user, o));
  EXPECT_FALSE(Holds(json::parse(R"({"country": {"$inGroup": "cn"}})"), user, o));
  EXPECT_FALSE(Holds(json::parse(R"({"$savedGroup": {"id": "cn"}})"), user, o));
  EXPECT_TRUE(Holds(json::parse(R"({"$savedGroup": {"id": "cn", "attributeKey": "missing"}})"),
                    json::parse(R"({"missing": "HK"})"), o));
  EXPECT_TRUE(Holds(json::parse(R"({"$savedGroup": {"id": "adults"}})"), user, o));
  EXPECT_TRUE(Holds(json::parse(R"({"$savedGroup": {"id": "either"}})"), user, o));
  EXPECT_FALSE(Holds(json::parse(R"({"$savedGroup": {"id": "beta"}})"), user, o));  // v1 lists serve $inGroup only

  // A group that refers to itself matches nobody (GrowthBook stops the cycle) and says so.
  CompileResult loop = CompileCondition(json::parse(R"({"$savedGroup": {"id": "loop"}})"), o);
  ASSERT_TRUE(loop.ok());
  ASSERT_EQ(loop.issues.size(), 1u);
  EXPECT_EQ(loop.issues[0].code, ErrorCode::kCycle);
  EXPECT_EQ(loop.issues[0].severity, Severity::kWarning);
  EXPECT_EQ(loop.issues[0].path, "/$savedGroup");
  EXPECT_EQ(loop.rule->Evaluate(user, EvalContext{}).value(), false);
}

TEST(ConditionTest, UnknownSavedGroupIsEmptyWithAWarning) {
  CompileResult in = CompileCondition(json::parse(R"({"id": {"$inGroup": "nope"}})"));
  ASSERT_TRUE(in.ok());
  ASSERT_EQ(in.issues.size(), 1u);
  EXPECT_EQ(in.issues[0].severity, Severity::kWarning);
  EXPECT_EQ(in.issues[0].path, "/id/$inGroup");
  EXPECT_EQ(in.rule->Evaluate(json::parse(R"({"id": "u1"})"), EvalContext{}).value(), false);
  EXPECT_TRUE(Holds(json::parse(R"({"id": {"$notInGroup": "nope"}})"), json::parse(R"({"id": "u1"})")));
}

TEST(ConditionTest, ErrorsInsideASavedGroupPointAtTheReference) {
  const json groups = json::parse(R"({"bad": {"type": "condition", "condition": {"age": {"$gtt": 1}}}})");
  ConditionOptions o;
  o.saved_groups = &groups;
  Error e = FirstError(json::parse(R"({"$or": [{"$savedGroup": {"id": "bad"}}]})"), o);
  EXPECT_EQ(e.code, ErrorCode::kUnknownOperator);
  EXPECT_EQ(e.path, "/$or/0/$savedGroup");
  EXPECT_NE(e.message.find("saved group \"bad\" at /age/$gtt"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("did you mean \"$gt\"?"), std::string::npos) << e.message;
}

struct ErrorCase {
  const char* condition;
  ErrorCode code;
  const char* path;
};

TEST(ConditionTest, RejectsMalformedConditionsWithPaths) {
  const ErrorCase cases[] = {
      {R"({"$and": [{"a": 1}, {"age": {"$gtt": 18}}]})", ErrorCode::kUnknownOperator, "/$and/1/age/$gtt"},
      {R"({"$gt": 5})", ErrorCode::kUnknownOperator, "/$gt"},
      {R"({"$andd": []})", ErrorCode::kUnknownOperator, "/$andd"},
      {R"({"age": {"$or": [{"a": 1}]}})", ErrorCode::kUnknownOperator, "/age/$or"},
      {R"({"country": {"$in": "CN"}})", ErrorCode::kWrongArgumentType, "/country/$in"},
      {R"({"country": {"$nin": null}})", ErrorCode::kWrongArgumentType, "/country/$nin"},
      {R"({"tags": {"$all": "a"}})", ErrorCode::kWrongArgumentType, "/tags/$all"},
      {R"({"country": {"$regex": 5}})", ErrorCode::kWrongArgumentType, "/country/$regex"},
      {R"({"country": {"$regex": "(unclosed"}})", ErrorCode::kInvalidRule, "/country/$regex"},
      {R"({"country": {"$regex": "(a)\\1"}})", ErrorCode::kInvalidRule, "/country/$regex"},
      {R"j({"country": {"$regexi": "a(?=b)"}})j", ErrorCode::kInvalidRule, "/country/$regexi"},
      {R"({"x": {"$type": "int"}})", ErrorCode::kWrongArgumentType, "/x/$type"},
      {R"({"x": {"$elemMatch": [1]}})", ErrorCode::kWrongArgumentType, "/x/$elemMatch"},
      {R"({"x": {"$inGroup": 5}})", ErrorCode::kWrongArgumentType, "/x/$inGroup"},
      {R"({"x": {"$gt": 1, "y": 2}})", ErrorCode::kInvalidRule, "/x"},
      {R"({"$or": {"a": 1}})", ErrorCode::kWrongArgumentType, "/$or"},
      {R"({"$nor": [1]})", ErrorCode::kWrongArgumentType, "/$nor/0"},
      {R"({"$not": [{"a": 1}]})", ErrorCode::kWrongArgumentType, "/$not"},
      {R"({"$savedGroup": "beta"})", ErrorCode::kWrongArgumentType, "/$savedGroup"},
      {R"({"a/b": {"$in": 1}})", ErrorCode::kWrongArgumentType, "/a~1b/$in"},
      {R"({"用户": {"$elemMatch": {"城市": {"$regex": "[上海"}}}})", ErrorCode::kInvalidRule, "/用户/$elemMatch/城市/$regex"},
      {R"([{"a": 1}])", ErrorCode::kInvalidRule, ""},
  };
  for (const ErrorCase& c : cases) {
    Error e = FirstError(json::parse(c.condition));
    EXPECT_EQ(e.code, c.code) << c.condition << ": " << e.message;
    EXPECT_EQ(e.path, c.path) << c.condition << ": " << e.message;
  }
}

TEST(ConditionTest, UnknownOperatorsSuggestTheClosest) {
  EXPECT_NE(FirstError(json::parse(R"({"a": {"$regx": "x"}})")).message.find("did you mean \"$regex\"?"), std::string::npos);
  EXPECT_NE(FirstError(json::parse(R"({"a": {"$elemmatch": {}}})")).message.find("did you mean \"$elemMatch\"?"),
            std::string::npos);
  EXPECT_NE(FirstError(json::parse(R"({"$ro": []})")).message.find("did you mean \"$or\"?"), std::string::npos);
  EXPECT_NE(FirstError(json::parse(R"({"a": {"$type": "strng"}})")).message.find("did you mean \"string\"?"),
            std::string::npos);
}

TEST(ConditionTest, ListsEveryProblem) {
  CompileResult c = CompileCondition(json::parse(R"({"a": {"$gtt": 1}, "b": {"$in": 2}, "c": {"$regex": "("}})"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.issues.size(), 3u) << FormatIssues(c.issues);
}

TEST(ConditionTest, RejectsInvalidUtf8AndABadSavedGroupsPayload) {
  json bad_key = json::object();
  bad_key["caf\xC3"] = 1;
  EXPECT_EQ(FirstError(bad_key).code, ErrorCode::kInvalidUtf8);
  EXPECT_EQ(FirstError(json::object({{"a", {{"$regex", "\xFF"}}}})).code, ErrorCode::kInvalidUtf8);
  const json groups = json::array({1});
  ConditionOptions o;
  o.saved_groups = &groups;
  EXPECT_EQ(FirstError(json::parse(R"({"a": 1})"), o).code, ErrorCode::kWrongArgumentType);
}

TEST(ConditionTest, LiteralObjectThatLooksLikeAnOperatorWarns) {
  CompileResult c = CompileCondition(json::parse(R"({"age": {"gt": 5}})"));
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c.issues.size(), 1u);
  EXPECT_EQ(c.issues[0].severity, Severity::kWarning);
  EXPECT_EQ(c.issues[0].path, "/age/gt");
}

TEST(ConditionTest, DepthLimitRejectsDeepNesting) {
  json c = json::parse(R"({"a": 1})");
  for (int i = 0; i < 300; ++i) c = json::object({{"$not", c}});
  Error e = FirstError(c);
  EXPECT_EQ(e.code, ErrorCode::kTooDeep);
  ConditionOptions o;
  o.max_depth = 1000;
  EXPECT_TRUE(CompileCondition(c, o).ok());
  // Deep literal values count too (they are compared recursively).
  json lit = 1;
  for (int i = 0; i < 300; ++i) lit = json::array({lit});
  EXPECT_EQ(FirstError(json::object({{"a", {{"$eq", lit}}}})).code, ErrorCode::kTooDeep);
}

TEST(ConditionTest, NodeLimitRejectsHugeConditions) {
  json list = json::array();
  for (int i = 0; i < 200; ++i) list.push_back(json::object({{"a", i}}));
  ConditionOptions o;
  o.max_nodes = 100;
  CompileResult c = CompileCondition(json::object({{"$or", list}}), o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.issues[0].code, ErrorCode::kTooLarge);
  EXPECT_TRUE(CompileCondition(json::object({{"$or", list}})).ok());
}

TEST(ConditionTest, NodeLimitBoundsSavedGroupExpansion) {
  // Each group uses the previous one twice: expanding g20 inline would take 2^20 copies.
  json groups = json::object();
  groups["g0"] = json::parse(R"({"type": "condition", "condition": {"a": 1}})");
  for (int i = 1; i <= 20; ++i) {
    std::string prev = "g" + std::to_string(i - 1);
    groups["g" + std::to_string(i)] = {{"type", "condition"},
                                        {"condition", {{"$or", {{{"$savedGroup", {{"id", prev}}}},
                                                                {{"$not", {{"$savedGroup", {{"id", prev}}}}}}}}}}};
  }
  ConditionOptions o;
  o.saved_groups = &groups;
  Error e = FirstError(json::parse(R"({"$savedGroup": {"id": "g20"}})"), o);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.path, "/$savedGroup");
}

TEST(ConditionTest, RegexPatternLengthIsBounded) {
  ConditionOptions o;
  o.max_regex_bytes = 8;
  Error e = FirstError(json::parse(R"({"a": {"$regex": "abcdefghij"}})"), o);
  EXPECT_EQ(e.code, ErrorCode::kTooLarge);
  EXPECT_EQ(e.path, "/a/$regex");
}

TEST(ConditionTest, CatastrophicRegexFinishesOnALongSubject) {
  // (a+)+$ backtracks exponentially in JavaScript on "aaa...a!"; here it is linear.
  json a = {{"s", std::string(50000, 'a') + "!"}};
  EXPECT_FALSE(Holds(json::parse(R"({"s": {"$regex": "(a+)+$"}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"s": {"$regex": "(a+)+!$"}})"), a));
}

TEST(ConditionTest, ChineseAttributesPathsAndPatterns) {
  const json a = json::parse(R"({"用户": {"城市": "上海", "标签": ["高价值", "新客"]}, "昵称": "王者荣耀"})");
  EXPECT_TRUE(Holds(json::parse(R"({"用户.城市": "上海", "用户.标签": {"$all": ["新客"]}})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"昵称": {"$regex": "^王.+耀$"}, "用户.标签.length": 2})"), a));
  EXPECT_TRUE(Holds(json::parse(R"({"昵称": {"$gt": "王"}})"), a));
  Error e = FirstError(json::parse(R"({"用户.城市": {"$包含": "上"}})"));
  EXPECT_EQ(e.path, "/用户.城市/$包含");
  EXPECT_NE(e.message.find("$包含"), std::string::npos);
}

TEST(ConditionTest, LargeListsAndTheStepBudget) {
  json list = json::array();
  for (int i = 0; i < 50000; ++i) list.push_back("u" + std::to_string(i));
  CompileResult c = CompileCondition(json::object({{"ids", {{"$in", list}}}}));
  ASSERT_TRUE(c.ok());
  json ids = json::array();
  for (int i = 0; i < 1000; ++i) ids.push_back("x" + std::to_string(i));
  ids.push_back("u49999");
  EXPECT_EQ(c.rule->Evaluate(json{{"ids", ids}}, EvalContext{}).value(), true);
  EvalContext tight;
  tight.options.max_steps = 100;
  Result<json> r = c.rule->Evaluate(json{{"ids", ids}}, tight);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kEvaluationLimit);
}

TEST(ConditionTest, SourceVarsAndTrace) {
  const json condition = json::parse(R"({"user.age": {"$gte": 18}, "$or": [{"country": "CN"}, {"vip": true}],
                                         "items": {"$elemMatch": {"sku": "A1"}}})");
  CompileResult c = CompileCondition(condition);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.rule->source(), condition);
  EXPECT_EQ(c.rule->referenced_vars(), (std::vector<std::string>{"country", "items", "user", "vip"}));
  const json a = json::parse(R"({"user": {"age": 20}, "country": "SG", "vip": true, "items": [{"sku": "A1"}]})");
  Result<json> t = c.rule->Trace(a, EvalContext{});
  ASSERT_TRUE(t.ok());
  const json& root = t.value();
  EXPECT_EQ(root["op"], "condition");
  EXPECT_EQ(root["value"], true);
  const std::string dumped = root.dump();
  for (const char* where : {"\"/user.age/$gte\"", "\"/$or/1/vip\"", "\"/items/$elemMatch\"", "\"/items/$elemMatch/sku\""}) {
    EXPECT_NE(dumped.find(where), std::string::npos) << where << " in " << dumped;
  }
  EXPECT_NE(dumped.find("\"op\":\"$gte\""), std::string::npos) << dumped;
}

TEST(ConditionTest, EvaluationIsRepeatableAndConst) {
  CompileResult c = CompileCondition(json::parse(R"({"tags.length": {"$gt": 1}, "v": {"$vgt": "1.2.3"}})"));
  ASSERT_TRUE(c.ok());
  const json a = json::parse(R"({"tags": [1, 2], "v": "v1.10.0"})");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.rule->Evaluate(a, EvalContext{}).value(), true);
  EXPECT_EQ(c.rule->Evaluate(json::parse(R"({"tags": [1], "v": "1.10"})"), EvalContext{}).value(), false);
}

// kLikeGrowthBook: evaluates a malformed condition as GrowthBook does.
// Returns the answer (a kThrown error, where GrowthBook throws, counts as
// false) and the issues, which must all be warnings.
struct GbAnswer {
  bool value = false;
  bool aborted = false;
  std::vector<Error> issues;
};

GbAnswer LikeGrowthBook(const json& condition, const json& attributes, const json* groups = nullptr) {
  ConditionOptions o;
  o.malformed = MalformedCondition::kLikeGrowthBook;
  o.saved_groups = groups;
  CompileResult c = CompileCondition(condition, o);
  GbAnswer out;
  out.issues = c.issues;
  EXPECT_TRUE(c.ok()) << condition.dump() << "\n" << FormatIssues(c.issues);
  for (const Error& e : c.issues) EXPECT_EQ(e.severity, Severity::kWarning) << condition.dump() << ": " << e.message;
  if (!c.ok()) return out;
  Result<json> r = c.rule->Evaluate(attributes, EvalContext{});
  if (!r.ok()) {
    EXPECT_EQ(r.error().code, ErrorCode::kThrown) << condition.dump();
    out.aborted = true;
    return out;
  }
  out.value = r.value() == true;
  return out;
}

struct GbCase {
  const char* condition;
  const char* attributes;
  bool expected;       // @growthbook/growthbook 1.8.0 evalCondition (false where it throws)
  bool throws;         // GrowthBook throws a TypeError: the whole condition does not match
  const char* path;    // the first issue's JSON Pointer
};

TEST(ConditionTest, MalformedConditionsEvaluateLikeGrowthBookWithWarnings) {
  const GbCase cases[] = {
      {R"({"country": {"$in": "CN"}})", R"({"country": "CN"})", false, false, "/country/$in"},
      {R"({"country": {"$nin": "CN"}})", R"({"country": "US"})", false, false, "/country/$nin"},
      {R"({"$not": {"country": {"$nin": "CN"}}})", R"({"country": "US"})", true, false, "/$not/country/$nin"},
      {R"({"tags": {"$all": "a"}})", R"({"tags": ["a"]})", false, false, "/tags/$all"},
      {R"({"a": {"$gtt": 1}})", R"({"a": 5})", false, false, "/a/$gtt"},
      {R"({"$not": {"a": {"$gtt": 1}}})", R"({"a": 5})", true, false, "/$not/a/$gtt"},
      {R"({"a": {"$or": [{"b": 1}]}})", R"({"a": 5})", false, false, "/a/$or"},
      {R"({"$gt": 5})", R"({"$gt": 5})", true, false, "/$gt"},
      {R"({"$foo": "x"})", R"({})", false, false, "/$foo"},
      {R"({"$foo": null})", R"({})", true, false, "/$foo"},
      {R"({"s": {"$regex": "(unclosed"}})", R"({"s": "(unclosed"})", false, false, "/s/$regex"},
      {R"({"$nor": [{"s": {"$regex": "[a-"}}]})", R"({"s": "a"})", true, false, "/$nor/0/s/$regex"},
      {R"({"s": {"$regex": 5}})", R"({"s": "5"})", false, false, "/s/$regex"},
      {R"({"x": {"$type": "int"}})", R"({"x": 1})", false, false, "/x/$type"},
      {R"({"x": {"$gt": 1, "y": 2}})", R"({"x": {"$gt": 1, "y": 2}})", true, false, "/x"},
      {R"({"$or": {"a": 1}})", R"({})", true, false, "/$or"},
      {R"({"$or": 5})", R"({})", true, false, "/$or"},
      {R"({"$nor": 5})", R"({})", false, false, "/$nor"},
      {R"({"$and": true})", R"({})", true, false, "/$and"},
      {R"({"$or": ""})", R"({})", true, false, "/$or"},
      {R"({"$or": "ab"})", R"({"0": "b"})", true, false, "/$or"},
      {R"({"$and": "ab"})", R"({"0": "b"})", false, false, "/$and"},
      {R"({"$or": {"length": 2, "0": {"a": 1}, "1": {"b": 1}}})", R"({"b": 1})", true, false, "/$or"},
      {R"({"$or": {"length": 2, "0": {"a": 1}}})", R"({"b": 1})", false, true, "/$or"},
      {R"({"$or": {"length": "x"}})", R"({})", false, false, "/$or"},
      {R"({"$or": null})", R"({})", false, true, "/$or"},
      {R"({"$not": {"$and": null}})", R"({})", false, true, "/$not/$and"},
      {R"({"$or": [{"a": 1}, null]})", R"({"a": 1})", true, false, "/$or/1"},
      {R"({"$or": [{"a": 1}, null]})", R"({"a": 2})", false, true, "/$or/1"},
      {R"({"$nor": [1]})", R"({})", false, false, "/$nor/0"},
      {R"({"$not": 5})", R"({})", false, false, "/$not"},
      {R"({"$not": null})", R"({})", false, true, "/$not"},
      {R"({"$not": [{"a": 1}]})", R"({"0": {"a": 1}})", false, false, "/$not"},
      {R"({"$not": "x"})", R"({"0": "y"})", true, false, "/$not"},
      {R"({"items": {"$elemMatch": null}})", R"({"items": 5})", false, false, "/items/$elemMatch"},
      {R"({"items": {"$elemMatch": null}})", R"({"items": []})", false, true, "/items/$elemMatch"},
      {R"({"items": {"$elemMatch": 5}})", R"({"items": [0]})", true, false, "/items/$elemMatch"},
      {R"({"items": {"$elemMatch": 5}})", R"({"items": [null]})", false, false, "/items/$elemMatch"},
      {R"({"items": {"$elemMatch": "ab"}})", R"({"items": [["a", "b"]]})", true, false, "/items/$elemMatch"},
      {R"({"items": {"$elemMatch": [1]}})", R"({"items": [[1]]})", true, false, "/items/$elemMatch"},
      {R"({"id": {"$inGroup": 7}})", R"({"id": "u1"})", true, false, "/id/$inGroup"},
      {R"({"id": {"$notInGroup": "constructor"}})", R"({"id": "u1"})", false, false, "/id/$notInGroup"},
      {R"({"id": {"$notInGroup": "nope"}})", R"({"id": "u1"})", true, false, "/id/$notInGroup"},
      {R"({"$savedGroup": "g"})", R"({})", false, false, "/$savedGroup"},
      {R"({"$savedGroup": {"id": "cn", "attributeKey": 5}})", R"({"country": "CN"})", false, false,
       "/$savedGroup/attributeKey"},
      {R"({"$savedGroup": {"id": "cn", "extra": 1}})", R"({"country": "CN"})", true, false, "/$savedGroup/extra"},
      {R"({"$savedGroup": {"id": "listed"}})", R"({"0": {"a": 1}})", true, false, "/$savedGroup"},
      {R"({"$savedGroup": {"id": "throws"}})", R"({})", false, true, "/$savedGroup"},
  };
  const json groups = json::parse(R"({"7": ["u1"], "cn": {"type": "list", "values": ["CN"], "attributeKey": "country"},
      "listed": {"type": "condition", "condition": [{"a": 1}]},
      "throws": {"type": "condition", "condition": {"$and": null}}})");
  for (const GbCase& c : cases) {
    const json condition = json::parse(c.condition);
    GbAnswer a = LikeGrowthBook(condition, json::parse(c.attributes), &groups);
    EXPECT_EQ(a.value, c.expected) << c.condition << " on " << c.attributes;
    EXPECT_EQ(a.aborted, c.throws) << c.condition << " on " << c.attributes;
    bool found = false;
    for (const Error& e : a.issues) found = found || e.path == c.path;
    EXPECT_TRUE(found) << c.condition << ": " << FormatIssues(a.issues);
    // Strictly, the same problem is an error and there is no rule.
    ConditionOptions strict;
    strict.saved_groups = &groups;
    CompileResult r = CompileCondition(condition, strict);
    bool error_there = false;
    for (const Error& e : r.issues) error_there = error_there || (e.path == c.path && e.severity == Severity::kError);
    if (std::string(c.path) != "/id/$notInGroup") {  // saved group lookups are warnings in both modes
      EXPECT_FALSE(r.ok()) << c.condition;
      EXPECT_TRUE(error_there) << c.condition << ": " << FormatIssues(r.issues);
    }
  }
}

TEST(ConditionTest, KeysAreReadInThePayloadsOrderLikeGrowthBook) {
  // GrowthBook stops at "a" (false) before the "$or": null that throws, so
  // the inner condition is false and $nor holds; read sorted, "$or" comes
  // first and the whole condition does not match.
  const std::string text = R"({"$nor": [{"a": 1, "$or": null}]})";
  const json condition = json::parse(text);
  const JsonKeyOrder order = KeyOrderFromText(condition, text);
  ConditionOptions o;
  o.malformed = MalformedCondition::kLikeGrowthBook;
  o.key_order = &order;
  CompileResult c = CompileCondition(condition, o);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.rule->Evaluate(json{{"a", 2}}, EvalContext{}).value(), true);
  EXPECT_FALSE(c.rule->Evaluate(json{{"a", 1}}, EvalContext{}).ok());  // GrowthBook throws here
  o.key_order = nullptr;
  CompileResult sorted = CompileCondition(condition, o);
  EXPECT_FALSE(sorted.rule->Evaluate(json{{"a", 2}}, EvalContext{}).ok());
  EXPECT_TRUE(KeyOrderFromText(condition, "not json").empty());
  // Escaped and Chinese keys, nested objects and lists.
  const std::string text2 = R"({"b\u00e9": 1, "用户": {"y": [1, {"z": 1, "c": "}"}], "x": 2}, "\"q": null})";
  const json value = json::parse(text2);
  const JsonKeyOrder order2 = KeyOrderFromText(value, text2);
  EXPECT_EQ(order2.at(&value), (std::vector<std::string>{"b\u00e9", "用户", "\"q"}));
  EXPECT_EQ(order2.at(&value["用户"]), (std::vector<std::string>{"y", "x"}));
  EXPECT_EQ(order2.at(&value["用户"]["y"][1]), (std::vector<std::string>{"z", "c"}));
}

TEST(ConditionTest, UnsupportedRegexAndLimitsMakeTheWholeConditionNotMatch) {
  // GrowthBook's $not holds ("ab" has no "aa"); a backreference cannot run in
  // linear time, so the whole condition does not match.
  GbAnswer a = LikeGrowthBook(json::parse(R"({"$not": {"s": {"$regex": "(a)\\1"}}})"), json{{"s", "ab"}});
  EXPECT_TRUE(a.aborted);
  ASSERT_EQ(a.issues.size(), 1u);
  EXPECT_EQ(a.issues[0].path, "/$not/s/$regex");
  EXPECT_NE(a.issues[0].message.find("does not match"), std::string::npos) << a.issues[0].message;
  json deep = json::parse(R"({"a": 1})");
  for (int i = 0; i < 300; ++i) deep = json::object({{"$not", deep}});
  GbAnswer d = LikeGrowthBook(json::object({{"$not", deep}}), json{{"a", 2}});
  EXPECT_TRUE(d.aborted);
  EXPECT_EQ(d.issues[0].code, ErrorCode::kTooDeep);
  // A catastrophic pattern still returns at once.
  GbAnswer c = LikeGrowthBook(json::parse(R"({"s": {"$regex": "(a+)+$"}, "t": {"$in": 1}})"),
                              json{{"s", std::string(50000, 'a') + "!"}});
  EXPECT_FALSE(c.value);
  EXPECT_FALSE(c.aborted);
}

}  // namespace
}  // namespace tagwise
