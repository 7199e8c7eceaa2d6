// The catalog compiled to SQL, at the text level: what is refused (with its
// path), what each dialect writes differently, and that the query follows
// the plan (references, parents, groups). The queries run on DuckDB and
// PostgreSQL in tests/js/sql_*.test.mjs.
#include <gtest/gtest.h>

#include <string>

#include "tagwise/catalog.h"
#include "tagwise/sql.h"

namespace tagwise {
namespace {

SqlQuery Compile(const std::string& catalog_json, SqlDialect dialect = SqlDialect::kDuckDb) {
  CatalogLoadResult loaded = Catalog::LoadText(catalog_json);
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].path + ": " + loaded.errors[0].message);
  SqlOptions o;
  o.dialect = dialect;
  o.as_of = 1'700'000'000'000;
  return CatalogToSql(*loaded.catalog, o);
}

TEST(CatalogSqlTest, RefusesWhatSqlCannotMeanWithThePath) {
  SqlQuery q = Compile(R"({"tagwise": 1, "tags": [
    {"id": "ok", "when": {">=": [{"events": [{"type": "order_paid"}]}, 2]}},
    {"id": "mapped", "when": {"some": [{"var": "items"}, {"==": [{"var": ""}, 1]}]}},
    {"id": "deep", "when": {"and": [true, {"var": {"cat": ["a", "b"]}}]}},
    {"id": "snap", "source": "server"}
  ]})");
  ASSERT_FALSE(q.ok());
  ASSERT_EQ(q.errors.size(), 3u);
  EXPECT_EQ(q.errors[0].path, "/tags/1/when");
  EXPECT_NE(q.errors[0].message.find("`some`"), std::string::npos) << q.errors[0].message;
  EXPECT_EQ(q.errors[1].path, "/tags/2/when/and/1");
  EXPECT_NE(q.errors[1].message.find("computed"), std::string::npos);
  EXPECT_EQ(q.errors[2].path, "/tags/3/source");
  EXPECT_TRUE(q.sql.empty());
}

TEST(CatalogSqlTest, EqualAggregatesShareOneColumn) {
  SqlQuery q = Compile(R"({"tagwise": 1, "tags": [
    {"id": "a", "when": {">=": [{"events": [{"type": "view", "within": "7d"}]}, 2]}},
    {"id": "b", "when": {"<": [{"events": [{"type": "view", "within": "7d"}]}, 9]}},
    {"id": "c", "when": {"events": [{"type": "view", "agg": "exists"}]}}
  ]})");
  ASSERT_TRUE(q.ok());
  EXPECT_NE(q.sql.find(" AS a1\n"), std::string::npos);
  EXPECT_EQ(q.sql.find(" AS a2\n"), std::string::npos) << q.sql;
  // The window is as-of minus 7 days, inclusive.
  EXPECT_NE(q.sql.find("ts >= " + std::to_string(1'700'000'000'000 - 7 * 86'400'000LL)), std::string::npos);
}

TEST(CatalogSqlTest, DialectsDifferOnlyWhereNamed) {
  const std::string catalog = R"({"tagwise": 1, "tags": [
    {"id": "uk", "when": {"==": [{"var": "country"}, "United Kingdom"]}},
    {"id": "xmas", "when": {">=": [{"events": [{"type": "order_paid", "where": {"in": ["CHRISTMAS", {"var": "description"}]}}]}, 3]}}
  ]})";
  SqlQuery duck = Compile(catalog, SqlDialect::kDuckDb);
  SqlQuery pg = Compile(catalog, SqlDialect::kPostgres);
  SqlQuery spark = Compile(catalog, SqlDialect::kSpark);
  ASSERT_TRUE(duck.ok() && pg.ok() && spark.ok());
  EXPECT_NE(duck.sql.find("json_extract(attributes, '/country')"), std::string::npos);
  EXPECT_NE(pg.sql.find("(attributes #> ARRAY['country']::text[])"), std::string::npos);
  EXPECT_NE(spark.sql.find("get_json_object(attributes, '$[\\'country\\']')"), std::string::npos) << spark.sql;
  EXPECT_NE(duck.sql.find(", LATERAL (VALUES"), std::string::npos);
  EXPECT_NE(pg.sql.find("CROSS JOIN LATERAL (VALUES"), std::string::npos);
  EXPECT_NE(spark.sql.find("LATERAL VIEW stack(2,"), std::string::npos);
  EXPECT_NE(pg.sql.find("strpos("), std::string::npos);
  EXPECT_NE(spark.sql.find("instr("), std::string::npos);
  // Spark's string literals read backslashes: the regexes are doubled.
  EXPECT_EQ(spark.sql.find("'\\s*'"), std::string::npos);
}

TEST(CatalogSqlTest, ParentsAndExclusiveGroupsFollowThePlan) {
  SqlQuery q = Compile(R"({"tagwise": 1,
    "groups": [{"id": "life", "exclusive": true}],
    "tags": [
      {"id": "fan"},
      {"id": "xmas", "parent": "fan", "when": {"events": [{"type": "order_paid", "agg": "exists"}]}},
      {"id": "new", "group": "life", "priority": 1, "when": true},
      {"id": "old", "group": "life", "priority": 2, "when": {"tag": "xmas"}},
      {"id": "score", "value": {"tag_value": "old"}, "when": true}
    ]})");
  ASSERT_TRUE(q.ok());
  // The parent holds through its child's column.
  const size_t fan = q.sql.find(" AS h0_");
  ASSERT_NE(fan, std::string::npos);
  EXPECT_NE(q.sql.rfind("h1_", fan), std::string::npos) << "the parent reads its child";
  // `new` wins only where `old` (higher priority) does not hold.
  EXPECT_NE(q.sql.find("(NOT h3_"), std::string::npos) << q.sql;
}

// Tags that read no column of the step being built share it: the query is
// as deep as the catalog's chains of references, not as long as the catalog.
TEST(CatalogSqlTest, IndependentTagsShareAStep) {
  SqlQuery q = Compile(R"({"tagwise": 1, "tags": [
    {"id": "a", "when": {">": [{"var": "x"}, 1]}},
    {"id": "b", "when": {">": [{"var": "x"}, 2]}},
    {"id": "c", "when": {">": [{"var": "x"}, 3]}},
    {"id": "d", "when": {"tag": "a"}}
  ]})");
  ASSERT_TRUE(q.ok());
  EXPECT_NE(q.sql.find("\ns1 AS ("), std::string::npos);
  EXPECT_NE(q.sql.find("\ns2 AS ("), std::string::npos) << "d reads a: a second step";
  EXPECT_EQ(q.sql.find("\ns3 AS ("), std::string::npos) << q.sql;
}

TEST(CatalogSqlTest, DialectNamesParse) {
  SqlDialect d;
  EXPECT_TRUE(ParseSqlDialect("postgres", &d));
  EXPECT_EQ(d, SqlDialect::kPostgres);
  EXPECT_FALSE(ParseSqlDialect("mysql", &d));
}

}  // namespace
}  // namespace tagwise
