// Rules to SQL (rule_sql.h). Mirrors core/src/rules/evaluator.cpp and
// events_agg.cpp case by case; what SQL cannot mean exactly is refused with
// the node's JSON Pointer, never compiled to something else.
#include "sql/rule_sql.h"

#include <cmath>
#include <string>

#include "common/js_value.h"
#include "rules/plan.h"

namespace tagwise {

using nlohmann::json;
using sql::Kind;
using sql::Val;

namespace sql {

std::string Aggregates::ColumnFor(const std::string& expr) {
  for (size_t i = 0; i < exprs_.size(); ++i) {
    if (exprs_[i] == expr) return "a" + std::to_string(i);
  }
  exprs_.push_back(expr);
  return "a" + std::to_string(exprs_.size() - 1);
}

std::string Aggregates::PropColumn(const std::vector<std::string>& path) {
  for (size_t i = 0; i < props_.size(); ++i) {
    if (props_[i] == path) return "p" + std::to_string(i);
  }
  props_.push_back(path);
  return "p" + std::to_string(props_.size() - 1);
}

std::string Aggregates::EventColumn(const std::string& expr) {
  for (size_t i = 0; i < event_exprs_.size(); ++i) {
    if (event_exprs_[i] == expr) return "c" + std::to_string(i);
  }
  event_exprs_.push_back(expr);
  return "c" + std::to_string(event_exprs_.size() - 1);
}

}  // namespace sql

namespace {

constexpr double kMsPerDay = 86'400'000.0;
constexpr double kMsPerHour = 3'600'000.0;

// A canonical array index, as the engine reads one: "0" or digits without a leading 0.
bool IsIndex(const std::string& seg) {
  return !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos && (seg == "0" || seg[0] != '0');
}

}  // namespace

std::string SqlRules::Condition(const Rule& rule, const std::string& base) {
  base_ = base;
  return Truth(*rule.root_, "attributes");
}

Val SqlRules::Value(const Rule& rule, const std::string& base) {
  base_ = base;
  return Compile(*rule.root_, "attributes");
}

std::vector<std::pair<std::string, std::string>> SqlRules::TakeHelpers() {
  std::vector<std::pair<std::string, std::string>> out;
  out.swap(helpers_);
  return out;
}

std::string SqlRules::Hoist(const std::string& expr, const std::string& scope) {
  if (scope != "attributes" || expr.size() < 48) return expr;
  std::string name = "x" + std::to_string(next_helper_++);
  helpers_.emplace_back(name, expr);
  return name;
}

Val SqlRules::Refuse(const Node& n, const std::string& why) {
  errors_->push_back({base_ + n.where, why});
  return v_.Null();
}

// Truthiness, with and/or/!/!! as SQL's own (the value of `and` is only
// needed where it is not tested for truth).
std::string SqlRules::Truth(const Node& n, const std::string& scope) {
  if (!n.args_spread && (n.op == Op::kAnd || n.op == Op::kOr)) {
    if (n.args.empty()) return "FALSE";
    std::string out = n.op == Op::kAnd ? "TRUE" : "FALSE";
    for (const Node& a : n.args) out = n.op == Op::kAnd ? sql::And(out, Truth(a, scope)) : sql::Or(out, Truth(a, scope));
    return out;
  }
  if (!n.args_spread && n.op == Op::kNot) return n.args.empty() ? "TRUE" : sql::Not(Truth(n.args[0], scope));
  if (!n.args_spread && n.op == Op::kNotNot) return n.args.empty() ? "FALSE" : Truth(n.args[0], scope);
  return v_.Truthy(Compile(n, scope));
}

bool SqlRules::LiteralList(const Node& n, std::vector<json>* out) const {
  if (n.op == Op::kLiteral && n.literal.is_array()) {
    out->assign(n.literal.begin(), n.literal.end());
    return true;
  }
  if (n.op != Op::kArray || n.args_spread) return false;
  out->clear();
  for (const Node& a : n.args) {
    if (a.op != Op::kLiteral) return false;
    out->push_back(a.literal);
  }
  return true;
}

Val SqlRules::Compile(const Node& n, const std::string& scope) {
  if (n.args_spread) return Refuse(n, "arguments spread from one array have no SQL form");
  const size_t argc = n.args.size();
  switch (n.op) {
    case Op::kLiteral:
      if (n.literal.is_null()) return v_.Null();
      if (n.literal.is_boolean()) return v_.Bool(n.literal.get<bool>());
      if (n.literal.is_number()) return v_.Num(n.literal.get<double>());
      if (n.literal.is_string()) return v_.Str(n.literal.get<std::string>());
      return Refuse(n, "an array or object value has no SQL form here (lists are read by `in`, `bucket` and `logistic`)");
    case Op::kVar:
      return Var(n, scope);
    case Op::kIf: {
      if (argc == 0) return v_.Null();
      std::vector<std::string> conds;
      std::vector<Val> branches;
      size_t i = 0;
      for (; i + 1 < argc; i += 2) {
        conds.push_back(Truth(n.args[i], scope));
        branches.push_back(Compile(n.args[i + 1], scope));
      }
      branches.push_back(argc == i + 1 ? Compile(n.args[i], scope) : v_.Null());
      branches = v_.Unify(branches);
      std::string out = "CASE";
      for (size_t k = 0; k < conds.size(); ++k) out += " WHEN " + conds[k] + " THEN " + branches[k].sql;
      return {branches.back().kind, out + " ELSE " + branches.back().sql + " END"};
    }
    case Op::kAnd:
    case Op::kOr: {
      if (argc == 0) return v_.Null();
      std::vector<Val> vals;
      bool all_bool = true;
      for (const Node& a : n.args) {
        vals.push_back(Compile(a, scope));
        all_bool = all_bool && vals.back().kind == Kind::kBool;
      }
      if (all_bool) return {Kind::kBool, Truth(n, scope)};
      // The first falsy (and) or truthy (or) argument, else the last.
      std::vector<Val> same = v_.Unify(vals);
      std::string out = "CASE";
      for (size_t k = 0; k + 1 < vals.size(); ++k) {
        const std::string t = v_.Truthy(vals[k]);
        out += " WHEN " + (n.op == Op::kAnd ? sql::Not(t) : t) + " THEN " + same[k].sql;
      }
      return {same.back().kind, out + " ELSE " + same.back().sql + " END"};
    }
    case Op::kNot:
    case Op::kNotNot:
      return {Kind::kBool, Truth(n, scope)};
    case Op::kEq:
    case Op::kNe:
    case Op::kStrictEq:
    case Op::kStrictNe: {
      const bool loose = n.op == Op::kEq || n.op == Op::kNe;
      std::string r;
      if (argc == 0) r = "TRUE";  // undefined == undefined
      else if (argc == 1) r = loose ? v_.IsNull(Compile(n.args[0], scope)) : "FALSE";
      else {
        Val a = Compile(n.args[0], scope), b = Compile(n.args[1], scope);
        r = loose ? v_.LooseEquals(a, b) : v_.StrictEquals(a, b);
      }
      return {Kind::kBool, n.op == Op::kNe || n.op == Op::kStrictNe ? sql::Not(r) : r};
    }
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      if (argc < 2) return v_.Bool(false);
      Val a = Compile(n.args[0], scope), b = Compile(n.args[1], scope);
      std::string r;
      switch (n.op) {
        case Op::kLt: r = v_.Less(a, b, false); break;
        case Op::kLe: r = v_.Less(a, b, true); break;
        case Op::kGt: r = v_.Less(b, a, false); break;
        default: r = v_.Less(b, a, true); break;
      }
      if (argc >= 3 && (n.op == Op::kLt || n.op == Op::kLe)) {
        r = sql::And(r, v_.Less(b, Compile(n.args[2], scope), n.op == Op::kLe));
      }
      return {Kind::kBool, r};
    }
    case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kMod: case Op::kMin: case Op::kMax:
      return Arithmetic(n, scope);
    case Op::kCat: {
      if (argc == 0) return v_.Str("");
      std::string out;
      for (const Node& a : n.args) {
        // join() prints null as "" (CatArgs), String() as "null".
        Val v = Compile(a, scope);
        v.sql = Hoist(v.sql, scope);
        const std::string null = v_.IsNull(v), text = v_.ToString(v).sql;
        out += (out.empty() ? "(" : " || ") +
               (null == "FALSE" ? text : null == "TRUE" ? "''" : "CASE WHEN " + null + " THEN '' ELSE " + text + " END");
      }
      return {Kind::kStr, out + ")"};
    }
    case Op::kIn:
      return In(n, scope);
    case Op::kLog:
      return argc > 0 ? Compile(n.args[0], scope) : v_.Null();
    case Op::kCoalesce: {
      if (argc == 0) return v_.Null();
      std::vector<Val> vals;
      for (const Node& a : n.args) vals.push_back(Compile(a, scope));
      vals = v_.Unify(vals);
      std::string out = "CASE";
      for (size_t k = 0; k + 1 < vals.size(); ++k) out += " WHEN " + sql::Not(v_.IsNull(vals[k])) + " THEN " + vals[k].sql;
      return {vals.back().kind, vals.size() == 1 ? vals[0].sql : out + " ELSE " + vals.back().sql + " END"};
    }
    case Op::kNow: case Op::kDaysSince: case Op::kHoursSince: case Op::kEvents: case Op::kTag: case Op::kTagValue:
    case Op::kDate: case Op::kBucket: case Op::kLogistic: case Op::kLn: case Op::kExp: case Op::kClamp: case Op::kRound:
      return Behaviour(n, scope);
    default:
      return Refuse(n, "the operator `" + std::string(n.name) + "` has no SQL form yet");
  }
}

Val SqlRules::Var(const Node& n, const std::string& scope) {
  if (!n.static_path) return Refuse(n, "a `var` whose path is computed has no SQL form");
  if (n.whole_data) return Refuse(n, "`var` of the whole data object has no SQL form");
  for (const std::string& seg : n.path) {
    // JS reads .length of arrays and strings; SQL would read a key.
    if (seg == "length") return Refuse(n, "the path segment `length` has no SQL form");
    // "-1", "01", "+1": the engine reads them as object keys only, PostgreSQL
    // as array positions too.
    if (!IsIndex(seg) && seg.find_first_of("0123456789") != std::string::npos &&
        seg.find_first_not_of("+- 0123456789") == std::string::npos) {
      return Refuse(n, "the path segment \"" + seg + "\" (a number that is no array index) has no SQL form");
    }
  }
  Val found{Kind::kJson, scope == "props" ? aggregates_->PropColumn(n.path) : d_.JsonAt(scope, n.path)};
  if (n.args.size() < 2) return found;
  // The default when the path is absent (a JSON null that is there stays null).
  Val fallback = v_.ToJson(Compile(n.args[1], scope));
  if (fallback.sql == "NULL") return found;
  return {Kind::kJson, "CASE WHEN " + found.sql + " IS NULL THEN " + fallback.sql + " ELSE " + found.sql + " END"};
}

std::string SqlRules::Divide(const std::string& a, const std::string& b) {
  // x / -0 is the other infinity: the zero's sign is read off its text.
  const std::string positive_zero = "(" + d_.DoubleText(b) + " NOT LIKE '-%')";
  return "CASE WHEN " + b + " = 0 THEN CASE WHEN " + a + " = 0 OR " + a + " IS NULL THEN " + d_.ToDouble("NULL") +
         " WHEN (" + a + " > 0) = " + positive_zero + " THEN " + d_.Infinity(false) + " ELSE " + d_.Infinity(true) +
         " END ELSE " + a + " / " + b + " END";
}

// SQL's NaN (inf - inf) compares equal to itself and above every number;
// JS's compares false: it becomes NULL, the kNum form of NaN.
static std::string NoNaN(const sql::Dialect& d, const std::string& x) { return "nullif(" + x + ", " + d.NaN() + ")"; }

Val SqlRules::Arithmetic(const Node& n, const std::string& scope) {
  const size_t argc = n.args.size();
  const std::string nan = d_.ToDouble("NULL");
  auto number = [&](size_t i) { return i < argc ? Hoist(v_.ToNumber(Compile(n.args[i], scope)).sql, scope) : nan; };
  switch (n.op) {
    case Op::kAdd: {
      if (argc == 0) return v_.Num(0);
      std::string out;
      for (const Node& a : n.args) out += (out.empty() ? "(" : " + ") + v_.ParseFloat(Compile(a, scope)).sql;
      return {Kind::kNum, NoNaN(d_, out + ")")};
    }
    case Op::kMul: {
      if (argc == 0) return v_.Num(1);
      if (argc == 1) return Compile(n.args[0], scope);  // json-logic-js returns a lone argument as is
      std::string out;
      for (const Node& a : n.args) out += (out.empty() ? "(" : " * ") + v_.ParseFloat(Compile(a, scope)).sql;
      return {Kind::kNum, NoNaN(d_, out + ")")};
    }
    case Op::kSub:
      if (argc == 0) return {Kind::kNum, nan};
      if (argc == 1) return {Kind::kNum, "(-" + number(0) + ")"};
      return {Kind::kNum, NoNaN(d_, "(" + number(0) + " - " + number(1) + ")")};
    case Op::kDiv:
      return {Kind::kNum, NoNaN(d_, Divide(number(0), number(1)))};
    case Op::kMod: {
      const std::string a = number(0), b = number(1);
      return {Kind::kNum, NoNaN(d_, "CASE WHEN " + b + " = 0 THEN " + nan + " ELSE " + d_.Fmod(a, b) + " END")};
    }
    default: {  // kMin, kMax
      const bool is_min = n.op == Op::kMin;
      if (argc == 0) return {Kind::kNum, d_.Infinity(!is_min)};
      if (argc == 1) return {Kind::kNum, number(0)};
      std::string any_nan = "FALSE", list;
      for (size_t i = 0; i < argc; ++i) {
        const std::string x = number(i);
        any_nan = sql::Or(any_nan, x + " IS NULL");
        list += (list.empty() ? "" : ", ") + x;
      }
      return {Kind::kNum, "CASE WHEN " + any_nan + " THEN " + nan + " ELSE " + (is_min ? "least(" : "greatest(") + list +
                              ") END"};
    }
  }
}

Val SqlRules::In(const Node& n, const std::string& scope) {
  if (n.args.size() < 2) return v_.Bool(false);
  Val needle = Compile(n.args[0], scope);
  std::vector<json> list;
  if (LiteralList(n.args[1], &list)) {
    // Strict equality with some element; arrays and objects never match.
    std::string strings, numbers, cond = "FALSE";
    bool has_true = false, has_false = false, has_null = false;
    for (const json& e : list) {
      if (e.is_string()) strings += (strings.empty() ? "" : ", ") + d_.String(e.get<std::string>());
      else if (e.is_number()) numbers += (numbers.empty() ? "" : ", ") + v_.Num(e.get<double>()).sql;
      else if (e.is_boolean()) (e.get<bool>() ? has_true : has_false) = true;
      else if (e.is_null()) has_null = true;
    }
    if (!strings.empty()) cond = sql::Or(cond, sql::And(v_.IsStr(needle), v_.StrOf(needle) + " IN (" + strings + ")"));
    if (!numbers.empty()) cond = sql::Or(cond, sql::And(v_.IsNum(needle), v_.NumOf(needle) + " IN (" + numbers + ")"));
    if (has_true || has_false) {
      const std::string b = has_true && has_false ? "TRUE" : has_true ? v_.BoolOf(needle) : sql::Not(v_.BoolOf(needle));
      cond = sql::Or(cond, sql::And(v_.IsBool(needle), b));
    }
    if (has_null) cond = sql::Or(cond, v_.IsNull(needle));
    return {Kind::kBool, cond == "TRUE" || cond == "FALSE" ? cond : "COALESCE(" + cond + ", FALSE)"};
  }
  Val hay = Compile(n.args[1], scope);
  const std::string text = v_.ToString(needle).sql;
  auto within = [&](const std::string& h) { return "(" + h + " <> '' AND " + d_.Contains(h, text) + ")"; };
  if (hay.kind == Kind::kStr) return {Kind::kBool, within(hay.sql)};
  if (hay.kind != Kind::kJson) return v_.Bool(false);
  const std::string in_array = d_.JsonArrayAny(hay.sql, [&](const std::string& element) {
    return v_.StrictEquals(Val{Kind::kJson, element}, needle);
  });
  return {Kind::kBool, "COALESCE(CASE WHEN " + v_.IsStr(hay) + " THEN " + within(v_.StrOf(hay)) + " WHEN " +
                           d_.JsonIsArray(hay.sql) + " THEN " + in_array + " ELSE FALSE END, FALSE)"};
}

// A `days_since`/`date` argument as ms since 1970 (SQL NULL for null/NaN):
// numbers as they are, ISO 8601 text parsed as the engine parses it.
Val SqlRules::TimeOf(const Val& v) {
  switch (v.kind) {
    case Kind::kNull: return {Kind::kNumOrNull, d_.ToDouble("NULL")};
    case Kind::kNum: return {Kind::kNumOrNull, v.sql};
    case Kind::kNumOrNull: return {Kind::kNumOrNull, v_.NumOf(v)};  // NaN is no time: null
    case Kind::kBool: return {Kind::kNumOrNull, v_.ToNumber(v).sql};
    case Kind::kStr: return {Kind::kNumOrNull, "COALESCE(" + d_.IsoToMs(v.sql) + ", " + v_.StringToNumber(v.sql) + ")"};
    case Kind::kJson: break;
  }
  const std::string text = v_.StrOf(v);
  return {Kind::kNumOrNull, "CASE WHEN " + v_.IsNull(v) + " THEN " + d_.ToDouble("NULL") + " WHEN " + v_.IsStr(v) +
                                " THEN COALESCE(" + d_.IsoToMs(text) + ", " + v_.StringToNumber(text) + ") ELSE " +
                                v_.ToNumber(v).sql + " END"};
}

std::string SqlRules::NumberOrZero(Val v, const std::string& scope) {
  const std::string zero = d_.Number(0);
  if (v.kind == Kind::kNull) return zero;
  v.sql = Hoist(v.sql, scope);
  const std::string n = "COALESCE(" + v_.ToNumber(v).sql + ", " + zero + ")";
  const std::string null = v_.IsNull(v);
  return null == "FALSE" ? n : "CASE WHEN " + null + " THEN " + zero + " ELSE " + n + " END";
}

Val SqlRules::Behaviour(const Node& n, const std::string& scope) {
  const size_t argc = n.args.size();
  const std::string nan = d_.ToDouble("NULL");
  auto arg = [&](size_t i) { return i < argc ? Compile(n.args[i], scope) : v_.Null(); };
  // A literal date is read now, as the engine's compiler does.
  auto literal_time = [&](size_t i) -> std::optional<Val> {
    if (i >= argc || n.args[i].op != Op::kLiteral || !n.args[i].literal.is_string()) return std::nullopt;
    const std::string& s = n.args[i].literal.get_ref<const std::string&>();
    if (std::optional<int64_t> ms = ParseIsoDate(s)) return Val{Kind::kNumOrNull, d_.Number(static_cast<double>(*ms))};
    const double d = js::StringToNumber(s);
    return Val{Kind::kNumOrNull, std::isnan(d) ? nan : v_.Num(d).sql};
  };
  switch (n.op) {
    case Op::kNow:
      return v_.Num(static_cast<double>(now_));
    case Op::kDaysSince:
    case Op::kHoursSince: {
      Val t = literal_time(0).value_or(TimeOf(arg(0)));
      const double unit = n.op == Op::kDaysSince ? kMsPerDay : kMsPerHour;
      return {Kind::kNumOrNull, "((" + d_.Number(static_cast<double>(now_)) + " - " + t.sql + ") / " + d_.Number(unit) + ")"};
    }
    case Op::kDate: {
      if (std::optional<Val> t = literal_time(0)) {
        // date("not a date") is null, not Number("...").
        if (!ParseIsoDate(n.args[0].literal.get_ref<const std::string&>())) return {Kind::kNumOrNull, nan};
        return *t;
      }
      Val v = arg(0);
      if (v.kind == Kind::kNumOrNull) return v;
      if (v.kind == Kind::kNum) return {Kind::kNumOrNull, "COALESCE(" + v.sql + ", " + d_.NaN() + ")"};  // NaN stays NaN
      if (v.kind == Kind::kStr) return {Kind::kNumOrNull, d_.IsoToMs(v.sql)};
      if (v.kind != Kind::kJson) return {Kind::kNumOrNull, nan};
      return {Kind::kNumOrNull, "CASE WHEN " + v_.IsNum(v) + " THEN " + v_.NumOf(v) + " WHEN " + v_.IsStr(v) + " THEN " +
                                    d_.IsoToMs(v_.StrOf(v)) + " ELSE " + nan + " END"};
    }
    case Op::kEvents:
      return Events(n);
    case Op::kTag:
      if (in_where_) return Refuse(n, "`tag` inside an events `where` has no SQL form");
      return {Kind::kBool, tags_->Held(n.tag_id)};
    case Op::kTagValue:
      if (in_where_) return Refuse(n, "`tag_value` inside an events `where` has no SQL form");
      return tags_->Value(n.tag_id);
    case Op::kBucket: {
      std::vector<json> thresholds;
      if (argc < 2) return {Kind::kNumOrNull, nan};
      Val x = arg(0);
      if (!LiteralList(n.args[1], &thresholds)) return Refuse(n.args[1], "`bucket` thresholds must be a list of numbers written in the rule");
      x.sql = Hoist(x.sql, scope);
      const std::string xn = Hoist(v_.ToNumber(x).sql, scope);
      std::string out = "CASE WHEN " + sql::Or(v_.IsNull(x), xn + " IS NULL") + " THEN " + nan;
      size_t i = 0;
      for (; i < thresholds.size(); ++i) {
        const double t = js::ToNumber(thresholds[i]);
        if (std::isnan(t)) break;  // x >= NaN is false: the count stops here
        out += " WHEN " + xn + " < " + v_.Num(t).sql + " THEN " + d_.Number(static_cast<double>(i));
      }
      return {Kind::kNumOrNull, out + " ELSE " + d_.Number(static_cast<double>(i)) + " END"};
    }
    case Op::kLogistic: {
      std::string z = argc > 0 ? NumberOrZero(arg(0), scope) : d_.Number(0);
      for (size_t i = 1; i < argc; ++i) {
        const Node& p = n.args[i];
        std::vector<json> pair;
        if (LiteralList(p, &pair)) {
          if (pair.size() != 2) continue;
          z += " + " + NumberOrZero(v_.Num(pair[0].is_null() ? 0 : js::ToNumber(pair[0])), scope) + " * " +
               NumberOrZero(v_.Num(pair[1].is_null() ? 0 : js::ToNumber(pair[1])), scope);
        } else if (p.op == Op::kArray && !p.args_spread) {
          if (p.args.size() != 2) continue;
          z += " + " + NumberOrZero(Compile(p.args[0], scope), scope) + " * " + NumberOrZero(Compile(p.args[1], scope), scope);
        } else {
          return Refuse(p, "`logistic` terms must be [weight, value] pairs written in the rule");
        }
      }
      z = Hoist(NoNaN(d_, "(" + z + ")"), scope);  // inf * 0 is NaN, and so the answer
      return {Kind::kNum, "CASE WHEN " + z + " < -709.782712893384 THEN " + d_.Number(0) + " WHEN " + z + " > 745.1332191019412 THEN " +
                              d_.Number(1) + " ELSE " + d_.Number(1) + " / (" + d_.Number(1) + " + exp(-" + z + ")) END"};
    }
    case Op::kLn:
    case Op::kExp: {
      Val x = arg(0);
      x.sql = Hoist(x.sql, scope);
      const std::string xn = Hoist(v_.ToNumber(x).sql, scope);
      std::string body = n.op == Op::kLn
          ? "CASE WHEN " + xn + " > 0 THEN ln(" + xn + ") WHEN " + xn + " = 0 THEN " + d_.Infinity(true) + " ELSE " + nan + " END"
          : "CASE WHEN " + xn + " > 709.782712893384 THEN " + d_.Infinity(false) + " WHEN " + xn + " < -745.1332191019412 THEN " +
                d_.Number(0) + " ELSE exp(" + xn + ") END";
      const std::string null = v_.IsNull(x);
      // NaN in, NaN out; only a null argument gives null.
      if (null == "FALSE") return {Kind::kNum, body};
      return {Kind::kNumOrNull, "CASE WHEN " + null + " THEN " + nan + " ELSE COALESCE(" + body + ", " + d_.NaN() + ") END"};
    }
    case Op::kClamp: {
      Val x = arg(0);
      x.sql = Hoist(x.sql, scope);
      const std::string xn = Hoist(v_.ToNumber(x).sql, scope), lo = Hoist(v_.ToNumber(arg(1)).sql, scope),
                        hi = Hoist(v_.ToNumber(arg(2)).sql, scope);
      const std::string body = "CASE WHEN (" + xn + " IS NULL OR " + lo + " IS NULL OR " + hi + " IS NULL) THEN " + nan +
                               " ELSE least(greatest(" + xn + ", " + lo + "), " + hi + ") END";
      const std::string null = v_.IsNull(x);
      if (null == "FALSE") return {Kind::kNum, body};
      return {Kind::kNumOrNull, "CASE WHEN " + null + " THEN " + nan + " ELSE COALESCE(" + body + ", " + d_.NaN() + ") END"};
    }
    case Op::kRound: {
      double digits = 0;
      if (argc > 1) {
        if (n.args[1].op != Op::kLiteral) return Refuse(n.args[1], "`round` digits must be a number written in the rule");
        digits = js::ToNumber(n.args[1].literal);
        if (std::isnan(digits)) digits = 0;
      }
      digits = std::max(-15.0, std::min(15.0, std::trunc(digits)));
      static constexpr double kPow10[] = {1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5,
                                          1e-4,  1e-3,  1e-2,  1e-1,  1e0,   1e1,   1e2,  1e3,  1e4,  1e5,  1e6,
                                          1e7,   1e8,   1e9,   1e10,  1e11,  1e12,  1e13, 1e14, 1e15};
      const std::string f = d_.Number(kPow10[static_cast<int>(digits) + 15]);
      Val x = arg(0);
      x.sql = Hoist(x.sql, scope);
      const std::string y = Hoist("(" + v_.ToNumber(x).sql + " * " + f + ")", scope);
      // Half away from zero, as std::round: the fraction of |y| is exact.
      const std::string a = "abs(" + y + ")";
      const std::string r = "(CASE WHEN " + a + " - floor(" + a + ") >= 0.5 THEN floor(" + a + ") + 1 ELSE floor(" + a + ") END)";
      const std::string body = "(CASE WHEN " + y + " < 0 THEN -" + r + " ELSE " + r + " END) / " + f;
      const std::string null = v_.IsNull(x);
      // NaN in, NaN out; only a null argument gives null.
      if (null == "FALSE") return {Kind::kNum, body};
      return {Kind::kNumOrNull, "CASE WHEN " + null + " THEN " + nan + " ELSE COALESCE(" + body + ", " + d_.NaN() + ") END"};
    }
    default:
      return Refuse(n, "the operator `" + std::string(n.name) + "` has no SQL form yet");
  }
}

Val SqlRules::Events(const Node& n) {
  if (in_where_) return Refuse(n, "`events` inside an events `where` has no SQL form");
  const EventsSpec& spec = *n.events;
  std::string cond = "TRUE";
  if (!spec.types.empty()) {
    std::string list;
    for (const std::string& t : spec.types) list += (list.empty() ? "" : ", ") + d_.String(t);
    cond = "type IN (" + list + ")";
  }
  if (spec.within_ms) cond = sql::And(cond, "ts >= " + std::to_string(now_ - *spec.within_ms));
  if (spec.where) {
    in_where_ = true;
    const std::string verdict = Truth(*spec.where, "props");
    in_where_ = false;
    cond = sql::And(cond, verdict == "TRUE" || verdict == "FALSE" ? verdict : aggregates_->EventColumn(verdict));
  }
  for (const std::string& seg : spec.field) {
    if (IsIndex(seg) || seg == "length") {
      return Refuse(n, "an events `field` path with an array index or `length` has no SQL form");
    }
  }
  // The weight of an event: 0.5^(age / half-life), 0 once it underflows.
  std::string weight;
  if (spec.half_life_ms) {
    const std::string age = d_.ToDouble("(" + std::to_string(now_) + " - ts)") + " / " + d_.Number(static_cast<double>(*spec.half_life_ms));
    // Past 2^-1000 a weight is taken as 0: PostgreSQL raises an error where
    // weight x number rounds to 0 (the engine adds such a term, < 1e-301 of it).
    weight = "CASE WHEN " + age + " > 1000 THEN " + d_.Number(0) + " ELSE " + d_.Pow2("-(" + age + ")") + " END";
  }
  const std::string zero = d_.Number(0), nan_or_null = d_.ToDouble("NULL");
  auto column = [&](const std::string& expr) { return aggregates_->ColumnFor(expr); };
  Val field{Kind::kJson, spec.field.empty() ? "NULL" : aggregates_->PropColumn(spec.field)};
  const std::string present = spec.field.empty() ? "FALSE" : aggregates_->EventColumn(sql::Not(v_.IsNull(field)));
  const std::string number = spec.field.empty() ? "NULL" : aggregates_->EventColumn(v_.ToNumber(field).sql);
  const std::string weighted = weight.empty() ? number : "(" + weight + ") * " + number;
  switch (spec.agg) {
    case Agg::kCount:
      if (!weight.empty()) return {Kind::kNum, "COALESCE(" + column(d_.AggWhere("sum", weight, cond)) + ", " + zero + ")"};
      return {Kind::kNum, "COALESCE(" + column(d_.ToDouble(d_.CountWhere(cond))) + ", " + zero + ")"};
    case Agg::kSum:
      if (spec.field.empty()) return v_.Num(0);
      return {Kind::kNum, NoNaN(d_, "COALESCE(" + column(d_.AggWhere("sum", weighted, sql::And(cond, present))) + ", " + zero + ")")};
    case Agg::kAvg:
      if (spec.field.empty()) return v_.Null();
      // Infinity - Infinity: the engine's NaN, reported as null (Result()).
      return {Kind::kNumOrNull, NoNaN(d_, column(d_.AggWhere("sum", weighted, sql::And(cond, present)) + " / nullif(" +
                                                    d_.ToDouble(d_.AggWhere("count", number, sql::And(cond, present))) + ", 0)"))};
    case Agg::kMin:
    case Agg::kMax:
      if (spec.field.empty()) return v_.Null();
      {
        // An infinite extreme is null, as the engine's isfinite check.
        const std::string m = column(d_.AggWhere(spec.agg == Agg::kMin ? "min" : "max", number, sql::And(cond, present)));
        return {Kind::kNumOrNull, "CASE WHEN abs(" + m + ") = " + d_.Infinity(false) + " THEN " + nan_or_null + " ELSE " + m + " END"};
      }
    case Agg::kDistinct:
      if (spec.field.empty()) return v_.Num(0);
      return {Kind::kNum, "COALESCE(" + column(d_.ToDouble(d_.AggWhere("COUNT DISTINCT", aggregates_->EventColumn(d_.DistinctKey(field.sql)),
                                                                        sql::And(cond, present)))) +
                              ", " + zero + ")"};
    case Agg::kFirstTs:
    case Agg::kLastTs:
      return {Kind::kNumOrNull, column(d_.AggWhere(spec.agg == Agg::kFirstTs ? "min" : "max", d_.ToDouble("ts"), cond))};
    case Agg::kExists:
      return {Kind::kBool, "COALESCE(" + column(d_.CountWhere(cond) + " > 0") + ", FALSE)"};
  }
  return v_.Null();
}

}  // namespace tagwise
