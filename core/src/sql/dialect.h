// What differs between the SQL dialects a catalog compiles to: how a JSON
// value is read and typed, number and string literals, text search, regular
// expressions and the final unpivot. Everything else (the query's shape, the
// JsonLogic coercions) is written once in value.cpp and catalog_sql.cpp.
#ifndef TAGWISE_CORE_SRC_SQL_DIALECT_H_
#define TAGWISE_CORE_SRC_SQL_DIALECT_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tagwise/sql.h"

namespace tagwise::sql {

class Dialect {
 public:
  virtual ~Dialect() = default;

  // 'text' with quotes doubled (and backslashes, where they escape).
  virtual std::string String(std::string_view text) const;
  // "name" with quotes doubled (tables may be schema-qualified: a.b).
  virtual std::string Ident(std::string_view name) const;
  // A DOUBLE literal of `d` (finite), e.g. CAST(0.15 AS DOUBLE).
  virtual std::string Number(double d) const = 0;
  // +Infinity or -Infinity as a DOUBLE.
  virtual std::string Infinity(bool negative) const = 0;
  virtual std::string ToDouble(const std::string& e) const = 0;
  // The float NaN, and whether a DOUBLE is it (SQL compares NaN equal to
  // itself and above every number, so it is tested, never compared).
  std::string NaN() const { return ToDouble("'NaN'"); }
  virtual std::string IsNaN(const std::string& x) const { return "isnan(" + x + ")"; }

  // The JSON value at `path` (object keys or array indices) under `json`
  // (a props or attributes column); SQL NULL when absent.
  virtual std::string JsonAt(const std::string& json, const std::vector<std::string>& path) const = 0;
  // Type tests of a JSON value that is not SQL NULL.
  virtual std::string JsonIsNull(const std::string& j) const = 0;
  virtual std::string JsonIsNumber(const std::string& j) const = 0;
  virtual std::string JsonIsString(const std::string& j) const = 0;
  virtual std::string JsonIsBool(const std::string& j) const = 0;
  virtual std::string JsonIsArray(const std::string& j) const = 0;
  // Views of a JSON value of the type tested.
  virtual std::string JsonNumber(const std::string& j) const = 0;
  virtual std::string JsonString(const std::string& j) const = 0;
  virtual std::string JsonBool(const std::string& j) const = 0;
  virtual std::string JsonArrayLength(const std::string& j) const = 0;
  // A JSON value's text (for COUNT(DISTINCT ...)): strings and other values
  // apart, numbers by their double value, so 1.5 and 1.50 are one value.
  virtual std::string DistinctKey(const std::string& j) const = 0;
  // A JSON value (array or object) as JSON text.
  virtual std::string JsonRaw(const std::string& j) const = 0;
  // JSON text (VARCHAR) -> the dialect's JSON value.
  virtual std::string ParseJson(const std::string& text) const = 0;
  // A VARCHAR -> its JSON text ("a\"b").
  virtual std::string QuoteJson(const std::string& s) const = 0;
  // A DOUBLE -> VARCHAR, shortest digits that read back the same.
  virtual std::string DoubleText(const std::string& d) const = 0;
  virtual std::string BigintText(const std::string& d) const = 0;

  // A regex class of JavaScript's white space (what Number() trims: tabs,
  // line breaks, NBSP, U+2000-U+200A, U+3000, BOM ...); `\s` misses some.
  virtual std::string Space() const {
    return R"([\t\n\x0B\f\r \x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}])";
  }
  // Whole-string match and the first capture group (NULL/'' when none).
  virtual std::string FullMatch(const std::string& s, std::string_view regex) const = 0;
  virtual std::string Capture(const std::string& s, std::string_view regex) const = 0;
  // hay contains needle (both VARCHAR).
  virtual std::string Contains(const std::string& hay, const std::string& needle) const = 0;
  // 2^x, e^x and ln x for arguments the caller keeps in range.
  virtual std::string Pow2(const std::string& x) const = 0;
  // count(*) of rows where `cond` holds, within a GROUP BY.
  virtual std::string CountWhere(const std::string& cond) const = 0;
  // agg(expr) over rows where `cond` holds: SUM, MIN, MAX, COUNT(DISTINCT).
  virtual std::string AggWhere(std::string_view agg, const std::string& expr, const std::string& cond) const = 0;
  // JS a % b of two DOUBLEs, b not 0.
  virtual std::string Fmod(const std::string& a, const std::string& b) const = 0;
  // Whether some element of a JSON array satisfies `cond` (given the
  // element's SQL as a JSON value).
  virtual std::string JsonArrayAny(const std::string& array,
                                   const std::function<std::string(const std::string&)>& cond) const = 0;
  // ISO 8601 text -> ms since 1970 as a DOUBLE, NULL when the text is not a
  // date the engine's ParseIsoDate reads (iso_time.cpp: plain arithmetic, so
  // every dialect agrees and none depends on a session time zone).
  std::string IsoToMs(const std::string& s) const;
  // `from` (a relation with user_id) unpivoted into (user_id, tag, value)
  // rows, one per (tag, held, value) triple whose `held` is true.
  struct Column {
    std::string tag_literal, held, value;
  };
  virtual std::string Unpivot(const std::string& from, const std::vector<Column>& columns) const = 0;
  // How a step of the plan is introduced in the WITH list: "AS (" or, where
  // the planner would otherwise substitute a column's expression into every
  // use (PostgreSQL inlines CTEs; 50 steps of that took minutes), a
  // materialised CTE.
  virtual std::string StepAs() const { return "AS ("; }
  // Text comparison in code point order (JS compares UTF-16 code units; the
  // two differ only for characters past U+FFFF against U+E000-U+FFFF).
  virtual std::string TextLess(const std::string& a, const std::string& b, bool or_equal) const;
};

std::unique_ptr<Dialect> MakeDialect(SqlDialect d);

}  // namespace tagwise::sql

#endif  // TAGWISE_CORE_SRC_SQL_DIALECT_H_
