#include <gtest/gtest.h>

#include "tagwise/catalog.h"
#include "tagwise/json_text.h"

namespace tagwise {
namespace {

using nlohmann::json;

bool HasError(const CatalogLoadResult& r, ErrorCode code, const std::string& path) {
  for (const Error& e : r.errors) {
    if (e.code == code && e.path == path) return true;
  }
  return false;
}

std::string Dump(const CatalogLoadResult& r) { return FormatIssues(r.errors) + FormatIssues(r.warnings); }

TEST(CatalogTest, LoadsTagsGroupsAndParents) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1,
    "groups": [{"id": "lifecycle", "name": "生命周期", "exclusive": true}],
    "tags": [
      {"id": "high_value", "name": "高价值", "dimension": "value", "when": {">": [{"var": "spend"}, 1000]}},
      {"id": "high_value_games", "name": "高价值-游戏", "parent": "high_value",
       "when": {">=": [{"events": [{"type": "order_paid", "where": {"==": [{"var": "category"}, "game"]}}]}, 3]}},
      {"id": "new_user", "name": "新用户", "group": "lifecycle", "priority": 2, "when": {"<=": [{"days_since": [{"var": "signup_at"}]}, 7]}},
      {"id": "old_user", "name": "老用户", "group": "lifecycle", "priority": 1, "when": {">": [{"days_since": [{"var": "signup_at"}]}, 7]}}
    ]})"));
  ASSERT_TRUE(r.ok()) << Dump(r);
  const Catalog& c = *r.catalog;
  ASSERT_EQ(c.tags().size(), 4u);
  EXPECT_EQ(c.tags()[1].parent_index, 0);
  EXPECT_EQ(c.tags()[0].children, std::vector<int>{1});
  EXPECT_EQ(c.groups()[0].members, (std::vector<int>{2, 3}));
  EXPECT_EQ(c.tags()[1].event_types, std::vector<std::string>{"order_paid"});
  EXPECT_TRUE(r.warnings.empty()) << Dump(r);
}

TEST(CatalogTest, PlanPutsReferencedTagsFirst) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "a", "when": {"tag": ["b"]}},
      {"id": "b", "when": true}]})"));
  ASSERT_TRUE(r.ok()) << Dump(r);
  ASSERT_EQ(r.catalog->plan().size(), 2u);
  EXPECT_EQ(r.catalog->plan()[0].index, 1);
  EXPECT_EQ(r.catalog->plan()[1].index, 0);
}

TEST(CatalogTest, RejectsDuplicateIds) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [{"id": "vip"}, {"id": "vip"}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasError(r, ErrorCode::kDuplicateId, "/tags/1/id")) << Dump(r);
}

// Issue 24: "vip\ud800" and "vip\udbff" (JS strings with lone surrogates)
// both parse to "vip" + U+FFFD; as ids they would be one tag. Refused with
// the id's path instead of a duplicate_id on the second.
TEST(CatalogTest, RefusesIdsWithLoneSurrogates) {
  Result<json> j = ParseJson(R"({"tagwise": 1, "groups": [{"id": "g\udc00"}],
      "tags": [{"id": "vip\ud800"}, {"id": "vip\udbff"}, {"id": "会员"}]})", "catalog");
  ASSERT_TRUE(j.ok());
  auto r = Catalog::Load(j.value());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasError(r, ErrorCode::kInvalidUtf8, "/tags/0/id")) << Dump(r);
  EXPECT_TRUE(HasError(r, ErrorCode::kInvalidUtf8, "/tags/1/id")) << Dump(r);
  EXPECT_TRUE(HasError(r, ErrorCode::kInvalidUtf8, "/groups/0/id")) << Dump(r);
  EXPECT_FALSE(HasError(r, ErrorCode::kDuplicateId, "/tags/1/id")) << Dump(r);
  EXPECT_EQ(r.errors.size(), 3u) << Dump(r);
}

TEST(CatalogTest, ReportsEveryProblemInOnePass) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "a", "parent": "nobody", "group": "nogroup", "when": {"and": [true, {"tag": ["ghost"]}]}},
      {"id": "a", "when": {"evnets": []}}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasError(r, ErrorCode::kUnknownTag, "/tags/0/when/and/1/tag/0")) << Dump(r);
  EXPECT_TRUE(HasError(r, ErrorCode::kUnknownTag, "/tags/0/parent")) << Dump(r);
  EXPECT_TRUE(HasError(r, ErrorCode::kUnknownTag, "/tags/0/group")) << Dump(r);
  EXPECT_TRUE(HasError(r, ErrorCode::kDuplicateId, "/tags/1/id")) << Dump(r);
}

TEST(CatalogTest, RejectsReferenceCyclesNamingTheLoop) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "a", "name": "甲", "when": {"tag": ["b"]}},
      {"id": "b", "name": "乙", "when": {"tag": ["c"]}},
      {"id": "c", "name": "丙", "when": {"tag": ["a"]}}]})"));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u) << Dump(r);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kCycle);
  EXPECT_EQ(r.errors[0].path, "/tags/0/when");
  EXPECT_NE(r.errors[0].message.find("甲 (a) → "), std::string::npos) << r.errors[0].message;
}

TEST(CatalogTest, RejectsParentCycles) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "a", "parent": "b"}, {"id": "b", "parent": "a"}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].code, ErrorCode::kCycle);
}

TEST(CatalogTest, WarnsAboutUnknownFieldsWithASuggestion) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [{"id": "a", "whem": true}]})"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].path, "/tags/0/whem");
  EXPECT_NE(r.warnings[0].message.find("did you mean \"when\"?"), std::string::npos);
}

TEST(CatalogTest, RejectsWrongTypes) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "a", "priority": "high", "core": "yes", "purpose": "ads", "source": "cloud", "ttl": "soon"}]})"));
  ASSERT_FALSE(r.ok());
  for (const char* p : {"/tags/0/priority", "/tags/0/core", "/tags/0/purpose", "/tags/0/source"}) {
    EXPECT_TRUE(HasError(r, ErrorCode::kWrongArgumentType, p)) << p << "\n" << Dump(r);
  }
  EXPECT_TRUE(HasError(r, ErrorCode::kBadDuration, "/tags/0/ttl")) << Dump(r);
}

TEST(CatalogTest, RejectsNewerFormatVersions) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 2, "tags": []})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].code, ErrorCode::kUnsupportedVersion);
}

TEST(CatalogTest, RejectsNonObjectsAndBadJsonText) {
  EXPECT_FALSE(Catalog::Load(json::array()).ok());
  auto r = Catalog::LoadText("{\"tags\": [");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].code, ErrorCode::kInvalidJson);
}

TEST(CatalogTest, EventTypeChangesReachDependentTags) {
  auto r = Catalog::Load(json::parse(R"({"tagwise": 1, "tags": [
      {"id": "buyer", "when": {"events": [{"type": "order_paid"}]}},
      {"id": "loyal", "when": {"tag": ["buyer"]}},
      {"id": "viewer", "when": {"events": [{"type": "page_view"}]}}]})"));
  ASSERT_TRUE(r.ok()) << Dump(r);
  EXPECT_EQ(r.catalog->AffectedByEventType("order_paid"), (std::vector<int>{0, 1}));
  EXPECT_EQ(r.catalog->AffectedByEventType("page_view"), (std::vector<int>{2}));
  EXPECT_TRUE(r.catalog->AffectedByEventType("login").empty());
}

}  // namespace
}  // namespace tagwise
