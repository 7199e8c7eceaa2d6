// Sessions that share a CatalogCache (tagwise/catalog_cache.h) compile a
// catalog text once: the same Catalog object, the same warnings, fingerprint
// and tag changes as a session that compiled it itself.
#include "tagwise/catalog_cache.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/session.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'763'800'000'000;

// "colour" is not a tag field: a warning the cache must report every time.
constexpr const char* kCatalog = R"({"tagwise": 1, "tags": [
  {"id": "new_user", "name": "新用户", "when": {"<": [{"events": [{"type": "order_paid"}]}, 1]}},
  {"id": "buyer", "name": "买家", "colour": "red", "when": {">=": [{"events": [{"type": "order_paid"}]}, 1]}}
]})";
constexpr const char* kOther = R"({"tagwise": 1, "tags": [{"id": "everyone", "name": "所有人", "when": true}]})";

SessionOptions With(CatalogCache* cache) {
  SessionOptions o;
  o.catalog_cache = cache;
  return o;
}

std::vector<std::string> Held(VisitorSession& s) {
  TagsAt t = s.Tags(kNow);
  std::vector<std::string> out;
  for (size_t i = 0; i < t.catalog->tags().size(); ++i) {
    if (t.evaluation->decisions[i].holds) out.push_back(t.catalog->tags()[i].id);
  }
  return out;
}

TEST(CatalogCacheTest, SessionsLoadingTheSameTextShareOneCompiledCatalog) {
  CatalogCache cache;
  VisitorSession a(With(&cache)), b(With(&cache));
  CatalogLoad first = a.LoadCatalog(kCatalog, kNow);
  CatalogLoad second = b.LoadCatalog(kCatalog, kNow);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(a.catalog(), b.catalog());
  // What the second load reports is what compiling it reports.
  VisitorSession alone;
  CatalogLoad own = alone.LoadCatalog(kCatalog, kNow);
  ASSERT_EQ(second.warnings.size(), 1u);
  EXPECT_EQ(FormatIssues(second.warnings), FormatIssues(own.warnings));
  EXPECT_EQ(second.fingerprint, own.fingerprint);
  EXPECT_EQ(second.changes.entered, own.changes.entered);
  EXPECT_NE(alone.catalog(), a.catalog());
}

TEST(CatalogCacheTest, TheCacheIsKeyedByTheBytes) {
  CatalogCache cache;
  VisitorSession a(With(&cache)), b(With(&cache));
  CatalogLoad first = a.LoadCatalog(kCatalog, kNow);
  CatalogLoad reformatted = b.LoadCatalog(json::parse(kCatalog).dump(2), kNow);
  EXPECT_NE(a.catalog(), b.catalog());
  EXPECT_EQ(first.fingerprint, reformatted.fingerprint);
}

TEST(CatalogCacheTest, ItKeepsTheLastCatalogLoaded) {
  CatalogCache cache;
  VisitorSession s(With(&cache));
  ASSERT_TRUE(s.LoadCatalog(kCatalog, kNow).ok());
  const Catalog* catalog = s.catalog();
  ASSERT_TRUE(s.LoadCatalog(kCatalog, kNow).ok());
  EXPECT_EQ(s.catalog(), catalog);
  ASSERT_TRUE(s.LoadCatalog(kOther, kNow).ok());
  EXPECT_EQ(cache.text, kOther);
  EXPECT_EQ(cache.catalog.get(), s.catalog());
  EXPECT_NE(s.catalog(), catalog);
  // An emptied cache compiles again.
  cache = CatalogCache{};
  ASSERT_TRUE(s.LoadCatalog(kOther, kNow).ok());
  EXPECT_EQ(cache.text, kOther);
  EXPECT_EQ(cache.catalog.get(), s.catalog());
}

TEST(CatalogCacheTest, ACatalogThatFailedIsNotKept) {
  CatalogCache cache;
  VisitorSession s(With(&cache));
  ASSERT_TRUE(s.LoadCatalog(kOther, kNow).ok());
  const std::string bad = R"({"tagwise": 1, "tags": [{"id": "x", "when": {"frobnicate": []}}]})";
  for (int i = 0; i < 2; ++i) {
    CatalogLoad r = s.LoadCatalog(bad, kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors[0].path, "/tags/0/when/frobnicate");
  }
  EXPECT_FALSE(s.LoadCatalog("{not json", kNow).ok());
  EXPECT_EQ(cache.text, kOther);
  EXPECT_EQ(Held(s), std::vector<std::string>{"everyone"});  // the previous catalog stays
}

TEST(CatalogCacheTest, ACatalogNoLongerKeptStaysWithItsSessions) {
  CatalogCache cache;
  VisitorSession a(With(&cache)), b(With(&cache));
  ASSERT_TRUE(a.LoadCatalog(kCatalog, kNow).ok());
  ASSERT_TRUE(b.LoadCatalog(kOther, kNow).ok());
  EXPECT_EQ(cache.text, kOther);
  EXPECT_EQ(Held(a), std::vector<std::string>{"new_user"});
  EXPECT_EQ(Held(b), std::vector<std::string>{"everyone"});
}

TEST(CatalogCacheTest, SessionsWithoutACacheCompileTheirOwn) {
  VisitorSession a, b;
  ASSERT_TRUE(a.LoadCatalog(kCatalog, kNow).ok());
  ASSERT_TRUE(b.LoadCatalog(kCatalog, kNow).ok());
  EXPECT_NE(a.catalog(), b.catalog());
}

}  // namespace
}  // namespace tagwise
