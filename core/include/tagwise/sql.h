// The warehouse path: a tag catalog compiled to one SQL query, so a shop can
// refresh its tags where its data lives (DuckDB, PostgreSQL, Spark SQL) and
// get what the engine gives on the same log (docs/sql.md).
//
//   tagwise::SqlOptions o;
//   o.as_of = 1323475200000;  // 2011-12-10T00:00:00Z
//   tagwise::SqlQuery q = tagwise::CatalogToSql(*loaded.catalog, o);
//   if (!q.ok()) { for (auto& e : q.errors) print(e.path, e.message); }
//
// Input tables: events(user_id, id, type, ts /* ms, UTC */, props JSON) and
// users(user_id, attributes JSON). Output rows: (user_id, tag, value), one per
// held tag, `value` the tag's value as JSON text.
#ifndef TAGWISE_SQL_H_
#define TAGWISE_SQL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tagwise/catalog.h"

namespace tagwise {

enum class SqlDialect { kDuckDb, kPostgres, kSpark };

struct SqlOptions {
  SqlDialect dialect = SqlDialect::kDuckDb;
  int64_t as_of = 0;  // the evaluation time, ms since 1970 (the engine's `now`)
  std::string events_table = "events";
  std::string users_table = "users";
};

// A construct the SQL cannot mean exactly as the engine does, at the JSON
// Pointer of the catalog where it is written ("/tags/3/when/and/0").
struct SqlIssue {
  std::string path;
  std::string message;
};

struct SqlQuery {
  std::string sql;               // empty when there are errors
  std::vector<SqlIssue> errors;  // every construct refused, in catalog order
  bool ok() const { return errors.empty(); }
};

// Compiles every tag of `catalog` (rules, references, parents, exclusive
// groups) into one SELECT. Server-sourced tags are refused (their membership
// is the snapshot's, not the log's).
SqlQuery CatalogToSql(const Catalog& catalog, const SqlOptions& options);

// "duckdb", "postgres", "spark"; false for anything else.
bool ParseSqlDialect(std::string_view name, SqlDialect* out);

}  // namespace tagwise

#endif  // TAGWISE_SQL_H_
