// JsonLogic's coercions in SQL (see value.h). Each function lists the cases
// of core/src/common/js_value.cpp it mirrors; the type tests fold to TRUE or
// FALSE when the kind decides, so a comparison of two numbers is `a = b`.
#include "sql/value.h"

#include <cmath>
#include <utility>

namespace tagwise::sql {

namespace {

// A JS numeric literal as Number() reads it (no hex, octal or binary).
constexpr std::string_view kNumber = R"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)";

// CASE WHEN c1 THEN r1 ... ELSE otherwise END, cases with a FALSE condition
// dropped and a TRUE condition ending the list.
std::string Cases(const std::vector<std::pair<std::string, std::string>>& cases, const std::string& otherwise) {
  std::string out;
  for (const auto& [cond, result] : cases) {
    if (cond == "FALSE") continue;
    if (cond == "TRUE") {
      if (out.empty()) return result;
      return out + " ELSE " + result + " END";
    }
    out += (out.empty() ? "CASE WHEN " : " WHEN ") + cond + " THEN " + result;
  }
  if (out.empty()) return otherwise;
  return out + " ELSE " + otherwise + " END";
}

}  // namespace

std::string And(const std::string& a, const std::string& b) {
  if (a == "FALSE" || b == "FALSE") return "FALSE";
  if (a == "TRUE") return b;
  if (b == "TRUE") return a;
  return "(" + a + " AND " + b + ")";
}

std::string Or(const std::string& a, const std::string& b) {
  if (a == "TRUE" || b == "TRUE") return "TRUE";
  if (a == "FALSE") return b;
  if (b == "FALSE") return a;
  return "(" + a + " OR " + b + ")";
}

std::string Not(const std::string& a) {
  if (a == "TRUE") return "FALSE";
  if (a == "FALSE") return "TRUE";
  return "(NOT " + a + ")";
}

Val Values::Num(double d) const {
  if (std::isnan(d)) return {Kind::kNum, d_.ToDouble("NULL")};
  if (std::isinf(d)) return {Kind::kNum, d_.Infinity(d < 0)};
  return {Kind::kNum, d_.Number(d)};
}

std::string Values::IsNull(const Val& v) const {
  switch (v.kind) {
    case Kind::kNull: return "TRUE";
    case Kind::kNumOrNull: return "(" + v.sql + " IS NULL)";
    case Kind::kJson: return "(" + v.sql + " IS NULL OR " + d_.JsonIsNull(v.sql) + ")";
    default: return "FALSE";
  }
}

std::string Values::IsNum(const Val& v) const {
  switch (v.kind) {
    case Kind::kNum: return "TRUE";
    case Kind::kNumOrNull: return "(" + v.sql + " IS NOT NULL)";
    case Kind::kJson: return d_.JsonIsNumber(v.sql);
    default: return "FALSE";
  }
}

std::string Values::IsStr(const Val& v) const {
  if (v.kind == Kind::kStr) return "TRUE";
  return v.kind == Kind::kJson ? d_.JsonIsString(v.sql) : "FALSE";
}

std::string Values::IsBool(const Val& v) const {
  if (v.kind == Kind::kBool) return "TRUE";
  return v.kind == Kind::kJson ? d_.JsonIsBool(v.sql) : "FALSE";
}

std::string Values::NumOf(const Val& v) const {
  if (v.kind == Kind::kNumOrNull) return "CASE WHEN " + d_.IsNaN(v.sql) + " THEN " + d_.ToDouble("NULL") + " ELSE " + v.sql + " END";
  return v.kind == Kind::kJson ? d_.JsonNumber(v.sql) : v.sql;
}
std::string Values::StrOf(const Val& v) const { return v.kind == Kind::kJson ? d_.JsonString(v.sql) : v.sql; }
std::string Values::BoolOf(const Val& v) const { return v.kind == Kind::kJson ? d_.JsonBool(v.sql) : v.sql; }

std::string Values::Truthy(const Val& v) const {
  switch (v.kind) {
    case Kind::kBool: return v.sql;
    case Kind::kNum: return "COALESCE(" + v.sql + " <> 0, FALSE)";
    case Kind::kNumOrNull: return "COALESCE(" + NumOf(v) + " <> 0, FALSE)";
    case Kind::kStr: return "(" + v.sql + " <> '')";
    case Kind::kNull: return "FALSE";
    case Kind::kJson: break;
  }
  return "COALESCE(" +
         Cases({{IsNull(v), "FALSE"},
                {IsBool(v), BoolOf(v)},
                {IsNum(v), NumOf(v) + " <> 0"},
                {IsStr(v), StrOf(v) + " <> ''"},
                {d_.JsonIsArray(v.sql), d_.JsonArrayLength(v.sql) + " > 0"}},
               "TRUE") +
         ", FALSE)";
}

std::string Values::StringToNumber(const std::string& s) const {
  const std::string number(kNumber), ws = d_.Space() + "*";
  return Cases({{d_.FullMatch(s, ws), d_.Number(0)},
                {d_.FullMatch(s, ws + number + ws), d_.ToDouble(d_.Capture(s, "^" + ws + "(" + number + ")" + ws + "$"))},
                {d_.FullMatch(s, ws + R"(\+?Infinity)" + ws), d_.Infinity(false)},
                {d_.FullMatch(s, ws + "-Infinity" + ws), d_.Infinity(true)}},
               d_.ToDouble("NULL"));
}

std::string Values::ParseFloatString(const std::string& s) const {
  const std::string number(kNumber), ws = d_.Space() + "*";
  return Cases({{d_.FullMatch(s, ws + number + R"([\s\S]*)"), d_.ToDouble(d_.Capture(s, "^" + ws + "(" + number + ")"))},
                {d_.FullMatch(s, ws + R"(\+?Infinity[\s\S]*)"), d_.Infinity(false)},
                {d_.FullMatch(s, ws + R"(-Infinity[\s\S]*)"), d_.Infinity(true)}},
               d_.ToDouble("NULL"));
}

Val Values::ToNumber(const Val& v) const {
  const std::string one = d_.Number(1), zero = d_.Number(0);
  switch (v.kind) {
    case Kind::kNum: return v;
    case Kind::kNumOrNull: return {Kind::kNum, "CASE WHEN " + v.sql + " IS NULL THEN " + zero + " ELSE " + NumOf(v) + " END"};
    case Kind::kBool: return {Kind::kNum, "CASE WHEN " + v.sql + " THEN " + one + " ELSE " + zero + " END"};
    case Kind::kStr: return {Kind::kNum, StringToNumber(v.sql)};
    case Kind::kNull: return {Kind::kNum, zero};
    case Kind::kJson: break;
  }
  // Arrays and objects: NaN (JS reads [5] as 5; docs/sql.md).
  return {Kind::kNum, Cases({{IsNull(v), zero},
                             {IsNum(v), NumOf(v)},
                             {IsStr(v), StringToNumber(StrOf(v))},
                             {IsBool(v), "CASE WHEN " + BoolOf(v) + " THEN " + one + " ELSE " + zero + " END"}},
                            d_.ToDouble("NULL"))};
}

Val Values::ParseFloat(const Val& v) const {
  switch (v.kind) {
    case Kind::kNum: return {Kind::kNum, v.sql};
    case Kind::kNumOrNull: return {Kind::kNum, NumOf(v)};  // null: parseFloat("null") is NaN
    case Kind::kStr: return {Kind::kNum, ParseFloatString(v.sql)};
    case Kind::kBool:
    case Kind::kNull: return {Kind::kNum, d_.ToDouble("NULL")};
    case Kind::kJson: break;
  }
  return {Kind::kNum, Cases({{IsNum(v), NumOf(v)}, {IsStr(v), ParseFloatString(StrOf(v))}}, d_.ToDouble("NULL"))};
}

namespace {

// JS String(n) of a DOUBLE that is not NULL: integers without a fraction.
std::string NumberText(const Dialect& d, const std::string& x) {
  return "CASE WHEN " + x + " = " + d.Infinity(false) + " THEN 'Infinity' WHEN " + x + " = " + d.Infinity(true) +
         " THEN '-Infinity' WHEN " + x + " = floor(" + x + ") AND abs(" + x + ") < 9007199254740992 THEN " +
         d.BigintText(x) + " ELSE " + d.DoubleText(x) + " END";
}

}  // namespace

Val Values::ToString(const Val& v) const {
  switch (v.kind) {
    case Kind::kStr: return v;
    case Kind::kNull: return Str("null");
    case Kind::kBool: return {Kind::kStr, "CASE WHEN " + v.sql + " THEN 'true' ELSE 'false' END"};
    case Kind::kNum: return {Kind::kStr, "CASE WHEN " + v.sql + " IS NULL THEN 'NaN' ELSE " + NumberText(d_, v.sql) + " END"};
    case Kind::kNumOrNull:
      return {Kind::kStr, "CASE WHEN " + v.sql + " IS NULL THEN 'null' WHEN " + d_.IsNaN(v.sql) + " THEN 'NaN' ELSE " +
                              NumberText(d_, v.sql) + " END"};
    case Kind::kJson: break;
  }
  return {Kind::kStr, Cases({{IsNull(v), "'null'"},
                             {IsStr(v), StrOf(v)},
                             {IsNum(v), NumberText(d_, NumOf(v))},
                             {IsBool(v), "CASE WHEN " + BoolOf(v) + " THEN 'true' ELSE 'false' END"}},
                            "''")};
}

std::string Values::LooseEquals(const Val& a, const Val& b) const {
  const std::string a_bool = "CASE WHEN " + BoolOf(a) + " THEN 1 ELSE 0 END";
  const std::string b_bool = "CASE WHEN " + BoolOf(b) + " THEN 1 ELSE 0 END";
  std::vector<std::pair<std::string, std::string>> cases = {
      {And(IsNull(a), IsNull(b)), "TRUE"},
      {And(IsNum(a), IsNum(b)), NumOf(a) + " = " + NumOf(b)},
      {And(IsStr(a), IsStr(b)), StrOf(a) + " = " + StrOf(b)},
      {And(IsBool(a), IsBool(b)), BoolOf(a) + " = " + BoolOf(b)},
      {And(IsNum(a), IsStr(b)), NumOf(a) + " = " + StringToNumber(StrOf(b))},
      {And(IsStr(a), IsNum(b)), StringToNumber(StrOf(a)) + " = " + NumOf(b)},
      {And(IsBool(a), IsNum(b)), a_bool + " = " + NumOf(b)},
      {And(IsBool(a), IsStr(b)), a_bool + " = " + StringToNumber(StrOf(b))},
      {And(IsNum(a), IsBool(b)), NumOf(a) + " = " + b_bool},
      {And(IsStr(a), IsBool(b)), StringToNumber(StrOf(a)) + " = " + b_bool},
  };
  const std::string r = Cases(cases, "FALSE");
  return r == "TRUE" || r == "FALSE" ? r : "COALESCE(" + r + ", FALSE)";
}

std::string Values::StrictEquals(const Val& a, const Val& b) const {
  const std::string r = Cases({{And(IsNull(a), IsNull(b)), "TRUE"},
                               {And(IsNum(a), IsNum(b)), NumOf(a) + " = " + NumOf(b)},
                               {And(IsStr(a), IsStr(b)), StrOf(a) + " = " + StrOf(b)},
                               {And(IsBool(a), IsBool(b)), BoolOf(a) + " = " + BoolOf(b)}},
                              "FALSE");
  return r == "TRUE" || r == "FALSE" ? r : "COALESCE(" + r + ", FALSE)";
}

std::string Values::Less(const Val& a, const Val& b, bool or_equal) const {
  const std::string both_text = And(IsStr(a), IsStr(b));
  const std::string numbers = ToNumber(a).sql + (or_equal ? " <= " : " < ") + ToNumber(b).sql;
  return "COALESCE(" + Cases({{both_text, d_.TextLess(StrOf(a), StrOf(b), or_equal)}}, numbers) + ", FALSE)";
}

std::string Values::JsonText(const Val& v) const {
  auto number = [&](const std::string& x) {
    return "CASE WHEN " + x + " IS NULL OR " + d_.IsNaN(x) + " OR abs(" + x + ") = " + d_.Infinity(false) + " THEN 'null' ELSE " +
           NumberText(d_, x) + " END";
  };
  switch (v.kind) {
    case Kind::kBool: return "CASE WHEN " + v.sql + " THEN 'true' ELSE 'false' END";
    case Kind::kNum: return number(v.sql);
    case Kind::kNumOrNull: return number(NumOf(v));
    case Kind::kStr: return d_.QuoteJson(v.sql);
    case Kind::kNull: return "'null'";
    case Kind::kJson: break;
  }
  return Cases({{IsNull(v), "'null'"},
                {IsNum(v), number(NumOf(v))},
                {IsStr(v), d_.QuoteJson(StrOf(v))},
                {IsBool(v), "CASE WHEN " + BoolOf(v) + " THEN 'true' ELSE 'false' END"}},
               d_.JsonRaw(v.sql));
}

Val Values::ToJson(const Val& v) const {
  if (v.kind == Kind::kJson) return v;
  if (v.kind == Kind::kNull) return {Kind::kJson, "NULL"};
  return {Kind::kJson, d_.ParseJson(JsonText(v))};
}

std::vector<Val> Values::Unify(const std::vector<Val>& vs) const {
  bool same = true;
  for (const Val& v : vs) same = same && v.kind == vs.front().kind;
  if (same) return vs;
  std::vector<Val> out;
  for (const Val& v : vs) out.push_back(ToJson(v));
  return out;
}

}  // namespace tagwise::sql
