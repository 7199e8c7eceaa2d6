// One rule's compiled plan (core/src/rules/plan.h) as a SQL expression over
// a user's row: `var` reads the attributes column, `events` aggregates become
// columns of the per-user aggregate (Aggregates), `tag`/`tag_value` read the
// columns of tags decided earlier in the plan (TagColumns).
#ifndef TAGWISE_CORE_SRC_SQL_RULE_SQL_H_
#define TAGWISE_CORE_SRC_SQL_RULE_SQL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sql/value.h"
#include "tagwise/rule.h"
#include "tagwise/sql.h"

namespace tagwise {

class Node;
struct EventsSpec;

namespace sql {

// The aggregates every rule of the catalog reads, one column each of the
// per-user GROUP BY over the events (equal aggregates share a column), and
// the event props they read, each taken out of the props JSON once per event
// (reading the JSON again for every aggregate made the retail catalog's
// GROUP BY 10x slower in DuckDB).
class Aggregates {
 public:
  // The column's name for an aggregate expression, added when new.
  std::string ColumnFor(const std::string& expr);
  const std::vector<std::string>& exprs() const { return exprs_; }
  // The column of the events CTE holding the prop at `path` (a JSON value).
  std::string PropColumn(const std::vector<std::string>& path);
  const std::vector<std::vector<std::string>>& props() const { return props_; }
  // A column computed once per event from the prop columns (a `where`
  // verdict, a field's number or distinct key) that several aggregates read.
  std::string EventColumn(const std::string& expr);
  const std::vector<std::string>& event_exprs() const { return event_exprs_; }

 private:
  std::vector<std::string> exprs_;
  std::vector<std::vector<std::string>> props_;
  std::vector<std::string> event_exprs_;
};

// How a rule reads tags decided earlier in the plan.
class TagColumns {
 public:
  virtual ~TagColumns() = default;
  // SQL of the tag's membership (BOOLEAN) and its value (null when not held).
  virtual std::string Held(const std::string& id) const = 0;
  virtual Val Value(const std::string& id) const = 0;
};

}  // namespace sql

// Compiles rules; refusals are added to `errors` with `base` + the node's path.
class SqlRules {
 public:
  SqlRules(const sql::Values& values, int64_t now, sql::Aggregates* aggregates, const sql::TagColumns* tags,
           std::vector<SqlIssue>* errors)
      : v_(values), d_(values.dialect()), now_(now), aggregates_(aggregates), tags_(tags), errors_(errors) {}

  // The rule's truthiness (BOOLEAN, never NULL) over the attributes column.
  std::string Condition(const Rule& rule, const std::string& base);
  // The rule's value.
  sql::Val Value(const Rule& rule, const std::string& base);
  // Columns the last Condition/ValueText needs computed first, in order
  // ({name, expression}; each may read the ones before it).
  std::vector<std::pair<std::string, std::string>> TakeHelpers();

 private:
  sql::Val Compile(const Node& n, const std::string& scope);
  std::string Truth(const Node& n, const std::string& scope);
  sql::Val Refuse(const Node& n, const std::string& why);
  sql::Val Var(const Node& n, const std::string& scope);
  sql::Val Events(const Node& n);
  sql::Val In(const Node& n, const std::string& scope);
  sql::Val Arithmetic(const Node& n, const std::string& scope);
  sql::Val Behaviour(const Node& n, const std::string& scope);
  sql::Val TimeOf(const sql::Val& v);
  std::string NumberOrZero(sql::Val v, const std::string& scope);
  // A guarded quotient (x / 0 is Infinity, NaN for 0 / 0) of two DOUBLEs.
  std::string Divide(const std::string& a, const std::string& b);
  // An expression a coercion reads more than once, as a helper column of the
  // user's row (so nested arithmetic does not grow the text exponentially);
  // as it is inside an events `where` or when it is short.
  std::string Hoist(const std::string& expr, const std::string& scope);
  // The literal values of an array argument, when every element is a literal.
  bool LiteralList(const Node& n, std::vector<nlohmann::json>* out) const;

  const sql::Values& v_;
  const sql::Dialect& d_;
  int64_t now_;
  sql::Aggregates* aggregates_;
  const sql::TagColumns* tags_;
  std::vector<SqlIssue>* errors_;
  std::string base_;
  bool in_where_ = false;
  std::vector<std::pair<std::string, std::string>> helpers_;
  int next_helper_ = 0;
};

}  // namespace tagwise

#endif  // TAGWISE_CORE_SRC_SQL_RULE_SQL_H_
