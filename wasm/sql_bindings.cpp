// embind registration of the warehouse path (tagwise/sql.h) for Node's module
// only: tw.catalogToSql and `tagwise sql` (js/sql.js). Conversion only.
#include <emscripten/bind.h>

#include <string>

#include <nlohmann/json.hpp>

#include "results.h"
#include "tagwise/answer.h"
#include "tagwise/catalog.h"
#include "tagwise/sql.h"

namespace tagwise::wasm {
namespace {

// `options`: {"dialect", "asOf" (ms), "eventsTable", "usersTable"}, checked
// by js/sql.js. Answers {"ok": true, "sql"} or {"ok": false, "errors"}.
std::string CatalogToSqlText(const std::string& catalog, const std::string& options) {
  return Guard([&]() -> std::string {
    const nlohmann::json o = nlohmann::json::parse(options);
    CatalogLoadResult loaded = Catalog::LoadText(catalog);
    if (!loaded.ok()) return FailureText(loaded.errors);
    SqlOptions so;
    ParseSqlDialect(o.value("dialect", std::string("duckdb")), &so.dialect);
    so.as_of = ToMs(o.value("asOf", 0.0));
    so.events_table = o.value("eventsTable", so.events_table);
    so.users_table = o.value("usersTable", so.users_table);
    SqlQuery q = CatalogToSql(*loaded.catalog, so);
    if (q.ok()) return ObjectText().Add("ok", true).Add("sql", q.sql).Close();
    nlohmann::json errors = nlohmann::json::array();
    for (const SqlIssue& e : q.errors) {
      nlohmann::json one = nlohmann::json::object();
      one["code"] = "not_compilable_to_sql";
      one["path"] = e.path;
      one["message"] = e.message;
      errors.push_back(std::move(one));
    }
    return ObjectText().Add("ok", false).Add("errors", errors).Close();
  });
}

}  // namespace
}  // namespace tagwise::wasm

EMSCRIPTEN_BINDINGS(tagwise_sql) { emscripten::function("catalogToSql", &tagwise::wasm::CatalogToSqlText); }
