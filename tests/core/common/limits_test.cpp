// The input-size limits (issue 9): each one refuses what is over it with
// kTooLarge, a path and a message that names the limit, accepts what is at it,
// and has the default the "Limits" table of docs/hardening.md states. Limits
// on counts and nesting (rule depth and nodes, tags, events, rollups, steps)
// are tested next to their features: bad_input_test, catalog_test,
// profile_test, store_test.
#include "tagwise/limits.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/catalog.h"
#include "tagwise/hints.h"
#include "tagwise/profile.h"
#include "tagwise/rule.h"
#include "tagwise/store.h"

namespace tagwise {
namespace {

using nlohmann::json;

bool Mentions(const std::string& message, const std::string& what) {
  return message.find(what) != std::string::npos;
}

TEST(LimitsTest, DefaultsAreTheDocumentedOnes) {
  EXPECT_EQ(CompileOptions{}.max_bytes, 16u << 20);
  EXPECT_EQ(CompileOptions{}.max_depth, 128);
  EXPECT_EQ(CompileOptions{}.max_nodes, 100'000);
  EXPECT_EQ(CatalogOptions{}.max_bytes, 16u << 20);
  EXPECT_EQ(CatalogOptions{}.max_tags, 5000);
  EXPECT_EQ(CatalogOptions{}.max_id_bytes, 256u);
  EXPECT_EQ(CatalogOptions{}.max_text_bytes, 4096u);
  EXPECT_EQ(ProfileLimits{}.max_bytes, 32u << 20);
  EXPECT_EQ(ProfileLimits{}.max_events, 100'000u);
  EXPECT_EQ(ProfileLimits{}.max_props_bytes, 64u << 10);
  EXPECT_EQ(ProfileLimits{}.max_string_bytes, 256u);
  EXPECT_EQ(RetentionPolicy{}.max_events, 5000u);
  EXPECT_EQ(kDefaultMaxHintBytes, 64u << 20);
}

TEST(LimitsTest, CheckInputBytesSaysTheSizeAndTheLimit) {
  EXPECT_FALSE(CheckInputBytes(100, 100, "rule").has_value());
  const auto e = CheckInputBytes(17u << 20, 16u << 20, "catalog", "/x");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, ErrorCode::kTooLarge);
  EXPECT_EQ(e->path, "/x");
  EXPECT_EQ(e->message, "the catalog is 17.0 MB (17825792 bytes); the limit is 16.0 MB (16777216 bytes)");
  EXPECT_EQ(CheckInputBytes(2048, 1000, "rule")->message,
            "the rule is 2.0 KB (2048 bytes); the limit is 1000 bytes (1000 bytes)");
}

TEST(LimitsTest, RuleTextOverItsByteLimitIsRefusedBeforeParsing) {
  // Not even JSON: the size is checked first, so a huge input costs nothing.
  const std::string text = "[" + std::string(2000, ' ') + "oops";
  CompileOptions options;
  options.max_bytes = 1000;
  const CompileResult r = CompileRuleText(text, options);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].code, ErrorCode::kTooLarge);
  EXPECT_TRUE(Mentions(r.issues[0].message, "the limit is 1000 bytes")) << r.issues[0].message;

  const std::string at_limit = R"({"==": [1, ")" + std::string(1000 - 15, 'x') + R"("]})";
  ASSERT_EQ(at_limit.size(), 1000u);
  EXPECT_TRUE(CompileRuleText(at_limit, options).ok());
}

TEST(LimitsTest, CatalogTextOverItsByteLimitIsRefused) {
  CatalogOptions options;
  options.max_bytes = 64;
  const std::string text = R"({"tags": [{"id": "a", "name": ")" + std::string(100, 'x') + R"(", "when": true}]})";
  const CatalogLoadResult r = Catalog::LoadText(text, options);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kTooLarge);
  EXPECT_TRUE(Mentions(r.errors[0].message, "catalog")) << r.errors[0].message;
  options.max_bytes = text.size();
  EXPECT_TRUE(Catalog::LoadText(text, options).ok());
}

TEST(LimitsTest, CatalogIdsAndTextsHaveLengthLimitsWithTheirPaths) {
  const std::string long_id(257, 'a');
  const std::string ok_id(256, 'b');
  // UTF-8 counts bytes: 1,366 Chinese characters are 4,098 bytes.
  std::string long_name;
  for (int i = 0; i < 1366; ++i) long_name += "高";
  const json catalog = {
      {"groups", {{{"id", long_id}}}},
      {"tags",
       {{{"id", long_id}, {"when", true}},
        {{"id", ok_id}, {"when", true}},
        {{"id", "named"}, {"name", long_name}, {"when", true}},
        {{"id", "described"}, {"description", std::string(4096, 'd')}, {"when", true}}}}};
  const CatalogLoadResult r = Catalog::Load(catalog);
  ASSERT_FALSE(r.ok());
  std::vector<std::string> paths;
  for (const Error& e : r.errors) {
    EXPECT_EQ(e.code, ErrorCode::kTooLarge) << e.path << ": " << e.message;
    paths.push_back(e.path);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/groups/0/id", "/tags/0/id", "/tags/2/name"}));
  EXPECT_TRUE(Mentions(r.errors[1].message, "the limit is 256")) << r.errors[1].message;
  EXPECT_TRUE(Mentions(r.errors[2].message, "4098 bytes; the limit is 4096")) << r.errors[2].message;
}

TEST(LimitsTest, EventPropsOverTheLimitAreRefusedAndSkippedOnLoad) {
  ProfileLimits limits;
  limits.max_props_bytes = 1000;
  const json big = {{"id", "big"}, {"type", "view"}, {"ts", 1763800000000}, {"props", {{"blob", std::string(1000, 'x')}}}};
  const json fine = {{"id", "fine"}, {"type", "view"}, {"ts", 1763800000000}, {"props", {{"blob", std::string(900, 'x')}}}};
  const Result<Event> refused = ParseEvent(big, "/events/7", nullptr, limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(refused.error().path, "/events/7/props");
  EXPECT_TRUE(Mentions(refused.error().message, "1000 bytes")) << refused.error().message;
  EXPECT_TRUE(ParseEvent(fine, "", nullptr, limits).ok());

  // A stored profile keeps its other events and says which one it skipped.
  std::vector<Error> warnings;
  const Result<Profile> p = Profile::FromJson(json{{"events", {fine, big}}}, &warnings, limits);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().events().size(), 1u);
  EXPECT_EQ(p.value().events()[0].id, "fine");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].code, ErrorCode::kTooLarge);
  EXPECT_EQ(warnings[0].path, "/events/1/props");
}

TEST(LimitsTest, TheDefaultPropsLimitFitsALargeOrder) {
  // An order of 100 line items with Chinese names is far below 64 KiB.
  json items = json::array();
  for (int i = 0; i < 100; ++i) {
    items.push_back({{"sku", "SKU-" + std::to_string(100000 + i)}, {"name", "王者荣耀点卡 100 元面值充值卡"},
                     {"category", "游戏点卡"}, {"qty", 2}, {"price", 99.5}});
  }
  const json order = {{"id", "o-1"}, {"type", "order_paid"}, {"ts", 1763800000000},
                      {"props", {{"amount", 19900}, {"items", items}}}};
  EXPECT_TRUE(ParseEvent(order, "").ok());
  // Counting is about the JSON text's size: within a factor of it either way.
  ProfileLimits limits;
  limits.max_props_bytes = order["props"].dump().size() / 2;
  EXPECT_FALSE(ParseEvent(order, "", nullptr, limits).ok());
  limits.max_props_bytes = order["props"].dump().size() * 2;
  EXPECT_TRUE(ParseEvent(order, "", nullptr, limits).ok());
}

TEST(LimitsTest, StoredTextOverTheLimitLoadsNothingAndSaysSo) {
  StoreState s;
  s.profile.set_user_id("u1");
  for (int i = 0; i < 20; ++i) {
    Event e;
    e.id = "e" + std::to_string(i);
    e.type = "view";
    e.ts = 1763800000000 + i;
    ASSERT_TRUE(s.profile.AddEvent(e));
  }
  const std::string text = EncodeStore(s);
  ProfileLimits limits;
  limits.max_bytes = text.size() - 1;
  const DecodedStore d = DecodeStore(text, limits);
  EXPECT_TRUE(d.state.profile.events().empty());
  ASSERT_EQ(d.problems.size(), 1u);
  EXPECT_EQ(d.problems[0].code, ErrorCode::kTooLarge);
  EXPECT_EQ(d.problems[0].severity, Severity::kError);
  EXPECT_TRUE(Mentions(d.problems[0].message, "nothing was loaded")) << d.problems[0].message;
  limits.max_bytes = text.size();
  EXPECT_EQ(DecodeStore(text, limits).state.profile.events().size(), 20u);
}

TEST(LimitsTest, HintFilesOverTheLimitAreRefusedBeforeDecoding) {
  HintBuilder b({});
  b.AddEventLine(R"({"user_id": "u1", "type": "purchase", "ts": 1763800000000, "props": {"item": "A"}})", 1);
  Result<Hints> built = b.Build();
  ASSERT_TRUE(built.ok()) << built.error().message;
  const std::string bytes = EncodeHints(built.value());
  const Result<Hints> refused = DecodeHints(bytes, "", bytes.size() - 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(Mentions(refused.error().message, "hints file")) << refused.error().message;
  EXPECT_TRUE(DecodeHints(bytes, "", bytes.size()).ok());
}

}  // namespace
}  // namespace tagwise
