// The three dialects. DuckDB and PostgreSQL are executed by the tests
// (tests/js/sql/); Spark SQL is generated from the same plan and checked at
// the text level: its differences are named in docs/sql.md.
#include "sql/dialect.h"

#include <cmath>

#include "common/js_value.h"

namespace tagwise::sql {

namespace {

// A JSON Pointer token: ~ and / escaped (RFC 6901).
std::string PointerToken(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

class DuckDb : public Dialect {
 public:
  // From text: a decimal literal goes through DECIMAL in DuckDB and can
  // land one unit in the last place off; text casts round correctly.
  std::string Number(double d) const override { return "CAST('" + js::NumberToString(d) + "' AS DOUBLE)"; }
  std::string Infinity(bool negative) const override {
    return negative ? "CAST('-Infinity' AS DOUBLE)" : "CAST('Infinity' AS DOUBLE)";
  }
  std::string ToDouble(const std::string& e) const override { return "CAST(" + e + " AS DOUBLE)"; }
  std::string JsonAt(const std::string& json, const std::vector<std::string>& path) const override {
    std::string pointer;
    for (const std::string& seg : path) pointer += "/" + PointerToken(seg);
    return "json_extract(" + json + ", " + String(pointer) + ")";
  }
  std::string JsonIsNull(const std::string& j) const override { return "json_type(" + j + ") = 'NULL'"; }
  std::string JsonIsNumber(const std::string& j) const override {
    return "json_type(" + j + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')";
  }
  std::string JsonIsString(const std::string& j) const override { return "json_type(" + j + ") = 'VARCHAR'"; }
  std::string JsonIsBool(const std::string& j) const override { return "json_type(" + j + ") = 'BOOLEAN'"; }
  std::string JsonIsArray(const std::string& j) const override { return "json_type(" + j + ") = 'ARRAY'"; }
  // Views never fail on a value of another type: SQL does not promise to
  // evaluate `IsNumber(j) AND ...` left to right (DuckDB evaluates both).
  std::string JsonNumber(const std::string& j) const override { return "TRY_CAST(" + j + " AS DOUBLE)"; }
  std::string JsonString(const std::string& j) const override { return "json_extract_string(" + j + ", '$')"; }
  std::string JsonBool(const std::string& j) const override { return "TRY_CAST(" + j + " AS BOOLEAN)"; }
  std::string JsonArrayLength(const std::string& j) const override { return "json_array_length(" + j + ")"; }
  std::string DistinctKey(const std::string& j) const override {
    return "CASE WHEN " + JsonIsString(j) + " THEN 's' || " + JsonString(j) + " WHEN " + JsonIsNumber(j) +
           " THEN 'n' || CAST(" + JsonNumber(j) + " AS VARCHAR) ELSE 'o' || CAST(" + j + " AS VARCHAR) END";
  }
  std::string JsonRaw(const std::string& j) const override { return "CAST(" + j + " AS VARCHAR)"; }
  std::string ParseJson(const std::string& text) const override { return "CAST(" + text + " AS JSON)"; }
  std::string QuoteJson(const std::string& s) const override { return "CAST(to_json(" + s + ") AS VARCHAR)"; }
  std::string DoubleText(const std::string& d) const override { return "CAST(" + d + " AS VARCHAR)"; }
  std::string BigintText(const std::string& d) const override { return "CAST(CAST(" + d + " AS BIGINT) AS VARCHAR)"; }
  std::string FullMatch(const std::string& s, std::string_view regex) const override {
    return "regexp_full_match(" + s + ", " + String(regex) + ")";
  }
  std::string Capture(const std::string& s, std::string_view regex) const override {
    return "regexp_extract(" + s + ", " + String(regex) + ", 1)";
  }
  std::string Contains(const std::string& hay, const std::string& needle) const override {
    return "strpos(" + hay + ", " + needle + ") > 0";
  }
  std::string Pow2(const std::string& x) const override { return "pow(2.0, " + x + ")"; }
  // DuckDB's % on DOUBLEs is C's fmod, as JS's (its fmod() is not).
  std::string Fmod(const std::string& a, const std::string& b) const override { return "(" + a + " % " + b + ")"; }
  std::string JsonArrayAny(const std::string& array,
                           const std::function<std::string(const std::string&)>& cond) const override {
    return "EXISTS (SELECT 1 FROM json_each(" + array + ") AS tw_e WHERE " + cond("tw_e.value") + ")";
  }
  std::string CountWhere(const std::string& cond) const override { return "count(*) FILTER (WHERE " + cond + ")"; }
  std::string AggWhere(std::string_view agg, const std::string& expr, const std::string& cond) const override {
    if (agg == "COUNT DISTINCT") return "count(DISTINCT " + expr + ") FILTER (WHERE " + cond + ")";
    return std::string(agg) + "(" + expr + ") FILTER (WHERE " + cond + ")";
  }
  std::string Unpivot(const std::string& from, const std::vector<Column>& columns) const override {
    std::string rows;
    for (const Column& c : columns) {
      rows += rows.empty() ? "\n    (" : ",\n    (";
      rows += c.tag_literal + ", " + c.held + ", " + c.value + ")";
    }
    return "SELECT f.user_id, x.tag, x.value\nFROM " + from + " AS f" + LateralKeyword() + " (VALUES" + rows +
           "\n  ) AS x(tag, held, value)\nWHERE x.held";
  }

 protected:
  virtual std::string LateralKeyword() const { return ", LATERAL"; }
};

class Postgres : public DuckDb {
 public:
  std::string Number(double d) const override { return "(" + js::NumberToString(d) + ")::float8"; }
  std::string Infinity(bool negative) const override { return negative ? "'-Infinity'::float8" : "'Infinity'::float8"; }
  std::string ToDouble(const std::string& e) const override { return "(" + e + ")::float8"; }
  std::string IsNaN(const std::string& x) const override { return "(" + x + " = 'NaN'::float8)"; }
  std::string JsonAt(const std::string& json, const std::vector<std::string>& path) const override {
    std::string list;
    for (const std::string& seg : path) list += (list.empty() ? "" : ", ") + String(seg);
    return "(" + json + " #> ARRAY[" + list + "]::text[])";
  }
  std::string JsonIsNull(const std::string& j) const override { return "jsonb_typeof(" + j + ") = 'null'"; }
  std::string JsonIsNumber(const std::string& j) const override { return "jsonb_typeof(" + j + ") = 'number'"; }
  std::string JsonIsString(const std::string& j) const override { return "jsonb_typeof(" + j + ") = 'string'"; }
  std::string JsonIsBool(const std::string& j) const override { return "jsonb_typeof(" + j + ") = 'boolean'"; }
  std::string JsonIsArray(const std::string& j) const override { return "jsonb_typeof(" + j + ") = 'array'"; }
  std::string JsonNumber(const std::string& j) const override {
    return "CASE WHEN " + JsonIsNumber(j) + " THEN (" + j + ")::float8 END";
  }
  std::string JsonString(const std::string& j) const override { return "(" + j + " #>> '{}')"; }
  std::string JsonBool(const std::string& j) const override { return "CASE WHEN " + JsonIsBool(j) + " THEN (" + j + ")::boolean END"; }
  std::string JsonArrayLength(const std::string& j) const override {
    return "CASE WHEN " + JsonIsArray(j) + " THEN jsonb_array_length(" + j + ") END";
  }
  std::string DistinctKey(const std::string& j) const override {
    return "CASE WHEN " + JsonIsString(j) + " THEN 's' || " + JsonString(j) + " WHEN " + JsonIsNumber(j) +
           " THEN 'n' || (" + JsonNumber(j) + ")::text ELSE 'o' || (" + j + ")::text END";
  }
  std::string JsonRaw(const std::string& j) const override { return "(" + j + ")::text"; }
  std::string ParseJson(const std::string& text) const override { return "(" + text + ")::jsonb"; }
  std::string QuoteJson(const std::string& s) const override { return "to_jsonb((" + s + ")::text)::text"; }
  std::string DoubleText(const std::string& d) const override { return "(" + d + ")::text"; }
  std::string BigintText(const std::string& d) const override { return "((" + d + ")::bigint)::text"; }
  std::string FullMatch(const std::string& s, std::string_view regex) const override {
    return "(" + s + " ~ " + String("^(?:" + std::string(regex) + ")$") + ")";
  }
  std::string Capture(const std::string& s, std::string_view regex) const override {
    return "substring(" + s + " from " + String(regex) + ")";
  }
  std::string Pow2(const std::string& x) const override { return "power(2::float8, " + x + ")"; }
  // x % Infinity is x; exact for whole numbers below 9e15 (numeric); a - b * trunc(a / b) otherwise.
  std::string Fmod(const std::string& a, const std::string& b) const override {
    return "CASE WHEN abs(" + b + ") = " + Infinity(false) + " AND abs(" + a + ") <> " + Infinity(false) + " THEN " + a +
           " WHEN " + a + " = trunc(" + a + ") AND " + b + " = trunc(" + b + ") AND abs(" + a + ") < 9e15 AND abs(" + b +
           ") < 9e15 THEN ((" + a + ")::numeric % (" + b + ")::numeric)::float8 ELSE " + a + " - " + b + " * trunc(" + a +
           " / " + b + ") END";
  }
  std::string JsonArrayAny(const std::string& array,
                           const std::function<std::string(const std::string&)>& cond) const override {
    return "EXISTS (SELECT 1 FROM jsonb_array_elements(" + array + ") AS tw_e(value) WHERE " + cond("tw_e.value") + ")";
  }
  std::string TextLess(const std::string& a, const std::string& b, bool or_equal) const override {
    return a + (or_equal ? " <= " : " < ") + b + " COLLATE \"C\"";
  }
  std::string StepAs() const override { return "AS MATERIALIZED ("; }
  std::string Space() const override {
    return R"([\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff])";
  }

 protected:
  std::string LateralKeyword() const override { return " CROSS JOIN LATERAL"; }
};

class Spark : public DuckDb {
 public:
  // Spark's string literals read backslash escapes.
  std::string String(std::string_view text) const override {
    std::string out = "'";
    for (char c : text) {
      if (c == '\'') out += "\\'";
      else if (c == '\\') out += "\\\\";
      else out += c;
    }
    return out + "'";
  }
  std::string Ident(std::string_view name) const override {
    std::string out = "`";
    for (char c : name) {
      if (c == '`') out += "``";
      else if (c == '.') out += "`.`";
      else out += c;
    }
    return out + "`";
  }
  // get_json_object: the value as text (strings unquoted), NULL for JSON null.
  std::string JsonAt(const std::string& json, const std::vector<std::string>& path) const override {
    std::string p = "$";
    for (const std::string& seg : path) {
      std::string quoted;
      for (char c : seg) quoted += c == '\'' ? std::string("\\'") : std::string(1, c);
      p += "['" + quoted + "']";
    }
    return "get_json_object(" + json + ", " + String(p) + ")";
  }
  std::string JsonIsNull(const std::string& j) const override { return "(" + j + " IS NULL)"; }
  std::string JsonIsNumber(const std::string& j) const override {
    return "(" + j + " RLIKE " + String("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$") + ")";
  }
  std::string JsonIsString(const std::string& j) const override {
    return "NOT (" + JsonIsNumber(j) + " OR " + JsonIsBool(j) + " OR " + JsonIsArray(j) + " OR " + j + " LIKE '{%')";
  }
  std::string JsonIsBool(const std::string& j) const override { return "(" + j + " IN ('true', 'false'))"; }
  std::string JsonIsArray(const std::string& j) const override { return "(" + j + " LIKE '[%')"; }
  std::string JsonNumber(const std::string& j) const override { return "CAST(" + j + " AS DOUBLE)"; }
  std::string JsonString(const std::string& j) const override { return j; }
  std::string JsonBool(const std::string& j) const override { return "(" + j + " = 'true')"; }
  std::string JsonArrayLength(const std::string& j) const override { return "json_array_length(" + j + ")"; }
  std::string DistinctKey(const std::string& j) const override { return j; }
  std::string JsonRaw(const std::string& j) const override { return j; }
  std::string ParseJson(const std::string& text) const override {
    return "get_json_object(concat('{\"v\":', " + text + ", '}'), '$.v')";
  }
  std::string QuoteJson(const std::string& s) const override {
    return "regexp_extract(to_json(array(" + s + ")), " + String("^\\[(.*)\\]$") + ", 1)";
  }
  std::string DoubleText(const std::string& d) const override { return "CAST(" + d + " AS STRING)"; }
  std::string BigintText(const std::string& d) const override { return "CAST(CAST(" + d + " AS BIGINT) AS STRING)"; }
  std::string FullMatch(const std::string& s, std::string_view regex) const override {
    return "(" + s + " RLIKE " + String("^(?:" + std::string(regex) + ")$") + ")";
  }
  std::string Contains(const std::string& hay, const std::string& needle) const override {
    return "instr(" + hay + ", " + needle + ") > 0";
  }
  std::string Pow2(const std::string& x) const override { return "pow(2.0, " + x + ")"; }
  std::string Space() const override {
    return R"([\t\n\x0B\f\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF])";
  }
  std::string Fmod(const std::string& a, const std::string& b) const override { return "(" + a + " % " + b + ")"; }
  std::string JsonArrayAny(const std::string& array,
                           const std::function<std::string(const std::string&)>& cond) const override {
    return "exists(from_json(" + array + ", 'array<string>'), tw_e -> " + cond("tw_e") + ")";
  }
  std::string Unpivot(const std::string& from, const std::vector<Column>& columns) const override {
    std::string args = std::to_string(columns.size());
    for (const Column& c : columns) args += ",\n    " + c.tag_literal + ", " + c.held + ", " + c.value;
    return "SELECT f.user_id, x.tag, x.value\nFROM " + from + " AS f\nLATERAL VIEW stack(" + args +
           "\n  ) x AS tag, held, value\nWHERE x.held";
  }
};

}  // namespace

std::string Dialect::String(std::string_view text) const {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else out += c;
  }
  return out + "'";
}

std::string Dialect::Ident(std::string_view name) const {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += "\"\"";
    else if (c == '.') out += "\".\"";
    else out += c;
  }
  return out + "\"";
}

std::string Dialect::TextLess(const std::string& a, const std::string& b, bool or_equal) const {
  return a + (or_equal ? " <= " : " < ") + b;
}

std::unique_ptr<Dialect> MakeDialect(SqlDialect d) {
  switch (d) {
    case SqlDialect::kPostgres: return std::make_unique<Postgres>();
    case SqlDialect::kSpark: return std::make_unique<Spark>();
    case SqlDialect::kDuckDb: break;
  }
  return std::make_unique<DuckDb>();
}

}  // namespace tagwise::sql
