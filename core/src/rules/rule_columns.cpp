// Batch evaluation over typed columns: see tagwise/rule_columns.h. The
// semantics are evaluator.cpp's (json-logic-js's), on values that are views
// into the batch instead of JSON trees; what is rare (arrays in arithmetic or
// comparisons) goes through the same js:: helpers on a JSON copy.
#include "tagwise/rule_columns.h"

#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <new>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/js_value.h"
#include "rules/evaluator.h"  // SplitPath
#include "rules/plan.h"

namespace tagwise {

using nlohmann::json;

namespace column_eval {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr uint32_t kNoId = 0xFFFFFFFFu;

// A value during evaluation. Strings and arrays are views into the batch,
// the plan's literals or the record's scratch strings.
struct V {
  enum Kind : uint8_t { kNull, kBool, kNum, kStr, kArr };
  Kind kind = kNull;
  bool b = false;
  uint32_t id = kNoId;  // kStr: interned id (kNoId for computed strings); kArr: identity
  double num = 0;
  std::string_view str;
  const V* items = nullptr;  // kArr
  uint32_t len = 0;

  static V Bool(bool v) {
    V x;
    x.kind = kBool;
    x.b = v;
    return x;
  }
  static V Num(double d) {
    V x;
    x.kind = kNum;
    x.num = d;
    return x;
  }
  static V Str(std::string_view s, uint32_t id) {
    V x;
    x.kind = kStr;
    x.str = s;
    x.id = id;
    return x;
  }
};

json ToJson(const V& v) {
  switch (v.kind) {
    case V::kNull: return json(nullptr);
    case V::kBool: return json(v.b);
    case V::kNum: return js::MakeNumber(v.num);
    case V::kStr: return json(std::string(v.str));
    case V::kArr: {
      json out = json::array();
      for (uint32_t i = 0; i < v.len; ++i) out.push_back(ToJson(v.items[i]));
      return out;
    }
  }
  return json(nullptr);
}

bool Truthy(const V& v) {
  switch (v.kind) {
    case V::kNull: return false;
    case V::kBool: return v.b;
    case V::kNum: return v.num != 0 && !std::isnan(v.num);
    case V::kStr: return !v.str.empty();
    case V::kArr: return v.len > 0;
  }
  return false;
}

double ToNumber(const V& v) {
  switch (v.kind) {
    case V::kNull: return 0;
    case V::kBool: return v.b ? 1 : 0;
    case V::kNum: return v.num;
    case V::kStr: return js::StringToNumber(v.str);
    case V::kArr: return js::ToNumber(ToJson(v));
  }
  return kNaN;
}

double ParseFloat(const V& v) {
  if (v.kind == V::kNum) return v.num == 0 ? 0.0 : v.num;  // String(-0) is "0"
  if (v.kind == V::kStr) return js::ParseFloatString(v.str);
  return js::ParseFloat(ToJson(v));
}

// Equal ids are the same text; different ids may be too (the caller need
// not intern every string), so those compare by text (by length first).
bool SameString(const V& a, const V& b) { return (a.id == b.id && a.id != kNoId) || a.str == b.str; }

bool StrictEquals(const V& a, const V& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case V::kNull: return true;
    case V::kBool: return a.b == b.b;
    case V::kNum: return a.num == b.num;
    case V::kStr: return SameString(a, b);
    case V::kArr: return a.id == b.id;  // identity
  }
  return false;
}

bool LooseEquals(const V& a, const V& b) {
  if (a.kind == V::kNull || b.kind == V::kNull) return a.kind == b.kind;
  if (a.kind == b.kind) return StrictEquals(a, b);
  if (a.kind == V::kArr || b.kind == V::kArr) {
    return js::LooseEquals(ToJson(a), ToJson(b), false);  // array vs primitive: through its string form
  }
  // Booleans compare as numbers; number vs string compares numbers.
  return ToNumber(a) == ToNumber(b);
}

// -2 when undefined (NaN), else the sign of a - b (js_value.cpp's RelationalCompare).
int Compare(const V& a, const V& b) {
  if (a.kind == V::kNum && b.kind == V::kNum) {
    if (std::isnan(a.num) || std::isnan(b.num)) return -2;
    return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  }
  if (a.kind == V::kArr || b.kind == V::kArr) {
    const json ja = ToJson(a), jb = ToJson(b);
    if (js::LessThan(ja, jb)) return -1;
    if (js::LessThan(jb, ja)) return 1;
    return js::LessOrEqual(ja, jb) ? 0 : -2;
  }
  if (a.kind == V::kStr && b.kind == V::kStr) {
    const int c = js::CompareStrings(a.str, b.str);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  const double x = ToNumber(a), y = ToNumber(b);
  if (std::isnan(x) || std::isnan(y)) return -2;
  return x < y ? -1 : (x > y ? 1 : 0);
}
bool LessThan(const V& a, const V& b) { return Compare(a, b) == -1; }
bool LessOrEqual(const V& a, const V& b) {
  const int c = Compare(a, b);
  return c == -1 || c == 0;
}

void AppendString(const V& v, std::string* out) {
  switch (v.kind) {
    case V::kNull: *out += "null"; break;
    case V::kBool: *out += v.b ? "true" : "false"; break;
    case V::kNum: *out += js::NumberToString(v.num); break;
    case V::kStr: out->append(v.str); break;
    case V::kArr: js::AppendString(ToJson(v), out); break;
  }
}

struct LimitReached {};

}  // namespace column_eval

using column_eval::V;
using column_eval::kNoId;

// What one evaluation of a batch reuses from the last: the caller keeps it
// (ColumnScratch), so a call with one record allocates nothing.
struct ColumnScratch::Buffers {
  std::vector<std::string_view> strings;  // by string id
  std::vector<uint32_t> table_index;      // by string id: its result-table entry, once stored
  std::vector<V> row;                     // the current record's cells
  std::vector<bool> missing;              // the current record's kColMissing cells
  std::vector<V> items;                   // the current record's array elements
  std::vector<V> frames;                  // iteration elements, innermost last
  std::deque<std::string> scratch;        // computed strings of the current record
};

ColumnScratch::ColumnScratch() : buffers_(std::make_unique<Buffers>()) {}
ColumnScratch::~ColumnScratch() = default;

struct ColumnRules::Node {
  Op op = Op::kLiteral;
  uint32_t column = 0;         // kVar with a path
  bool element = false;        // kVar of the iteration element ({"var": ""} in a body)
  bool has_default = false;    // kVar: args[0] is the default
  V literal;                   // kLiteral (arrays: items point into `items`)
  std::vector<V> items;
  std::vector<Node> args;
};

namespace {

using namespace column_eval;  // NOLINT: the value model above, private to this file

// Builds the column plan of one compiled rule; false when it uses something
// the column evaluator does not cover.
class PlanBuilder {
 public:
  PlanBuilder(std::vector<std::string>* paths, std::vector<std::string>* strings, bool* reads_time)
      : paths_(paths), strings_(strings), reads_time_(reads_time) {}

  bool Build(const tagwise::Node& n, int iteration_depth, ColumnRules::Node* out) {
    if (n.args_spread) return false;
    out->op = n.op;
    switch (n.op) {
      case Op::kLiteral:
        return Literal(n.literal, out);
      case Op::kVar:
        if (!n.static_path) return false;
        if (n.whole_data) {
          if (iteration_depth == 0) return false;  // the whole record: not a column
          out->element = true;
        } else {
          if (iteration_depth > 0) return false;  // a field of the element
          out->column = Column(n.path);
        }
        if (n.args.size() >= 2) {
          out->has_default = true;
          out->args.emplace_back();
          return Build(n.args[1], iteration_depth, &out->args.back());
        }
        return true;
      case Op::kSome:
      case Op::kAll:
      case Op::kNone:
        for (size_t i = 0; i < n.args.size(); ++i) {
          out->args.emplace_back();
          if (!Build(n.args[i], iteration_depth + (i == 1 ? 1 : 0), &out->args.back())) return false;
        }
        return true;
      case Op::kNow:
        *reads_time_ = true;
        return true;
      case Op::kIf: case Op::kAnd: case Op::kOr: case Op::kNot: case Op::kNotNot:
      case Op::kEq: case Op::kNe: case Op::kStrictEq: case Op::kStrictNe:
      case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
      case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kMod:
      case Op::kMin: case Op::kMax: case Op::kIn: case Op::kCat: case Op::kSubstr:
        for (const tagwise::Node& a : n.args) {
          out->args.emplace_back();
          if (!Build(a, iteration_depth, &out->args.back())) return false;
        }
        return true;
      default:
        return false;
    }
  }

 private:
  bool Scalar(const json& j, V* v) {
    switch (j.type()) {
      case json::value_t::null: *v = V(); return true;
      case json::value_t::boolean: *v = V::Bool(j.get<bool>()); return true;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
      case json::value_t::number_float: *v = V::Num(j.get<double>()); return true;
      case json::value_t::string: {
        const uint32_t id = String(j.get_ref<const std::string&>());
        *v = V::Str((*strings_)[id], id);  // re-pointed once `strings_` stops growing (Finish)
        return true;
      }
      default: return false;
    }
  }

  bool Literal(const json& j, ColumnRules::Node* out) {
    if (!j.is_array()) return Scalar(j, &out->literal);
    out->items.resize(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
      if (!Scalar(j[i], &out->items[i])) return false;
    }
    out->literal.kind = V::kArr;
    out->literal.id = 0x80000000u + literal_arrays_++;  // identity: each literal its own array
    out->literal.len = static_cast<uint32_t>(out->items.size());
    return true;
  }

  uint32_t Column(const std::vector<std::string>& path) {
    std::string dotted;
    for (size_t i = 0; i < path.size(); ++i) {
      if (i > 0) dotted += '.';
      dotted += path[i];
    }
    auto [it, inserted] = columns_.try_emplace(dotted, static_cast<uint32_t>(paths_->size()));
    if (inserted) paths_->push_back(dotted);
    return it->second;
  }

  uint32_t String(const std::string& s) {
    auto [it, inserted] = string_ids_.try_emplace(s, static_cast<uint32_t>(strings_->size()));
    if (inserted) strings_->push_back(s);
    return it->second;
  }

  std::vector<std::string>* paths_;
  std::vector<std::string>* strings_;
  bool* reads_time_;
  std::unordered_map<std::string, uint32_t> columns_;
  std::unordered_map<std::string, uint32_t> string_ids_;
  uint32_t literal_arrays_ = 0;
};

// Points literal strings and arrays at their final storage.
void Finish(const std::vector<std::string>& strings, ColumnRules::Node* n) {
  auto fix = [&](V& v) {
    if (v.kind == V::kStr) v.str = strings[v.id];
  };
  fix(n->literal);
  for (V& item : n->items) fix(item);
  if (n->literal.kind == V::kArr) n->literal.items = n->items.data();
  for (ColumnRules::Node& a : n->args) Finish(strings, &a);
}

// Evaluates one batch; one per Evaluate call.
class ColumnEvaluator {
 public:
  ColumnEvaluator(const ColumnRules& rules, const ColumnInput& in, int64_t now, int64_t max_steps,
                  ColumnScratch::Buffers& b)
      : rules_(rules),
        in_(in),
        now_(now),
        max_steps_(max_steps),
        strings_(b.strings),
        table_index_(b.table_index),
        row_(b.row),
        missing_(b.missing),
        items_(b.items),
        frames_(b.frames),
        scratch_(b.scratch) {}

  // False when the input is malformed (a string id or pool offset out of range).
  bool Run(const std::vector<ColumnRules::Node>& roots, RuleBatch* out) {
    const size_t own = rules_.strings().size();
    strings_.resize(own + in_.strings);
    for (size_t i = 0; i < own; ++i) strings_[i] = rules_.strings()[i];
    for (size_t i = 0; i < in_.strings; ++i) {
      const uint32_t a = in_.offsets[i], b = in_.offsets[i + 1];
      if (a > b || b > in_.blob_size) return false;
      strings_[own + i] = std::string_view(in_.blob + a, b - a);
    }
    if (in_.strings > 0 && in_.offsets[0] != 0) return false;
    table_index_.assign(strings_.size(), kNoId);
    frames_.clear();
    scratch_.clear();
    row_.resize(in_.columns);
    missing_.resize(in_.columns);
    out->Begin();
    for (size_t r = 0; r < in_.records; ++r) {
      const uint8_t* kinds = in_.kinds + r * in_.columns;
      const double* values = in_.values + r * in_.columns;
      if (in_.columns > 0 && kinds[0] == kColSkip) {
        for (size_t k = 0; k < roots.size(); ++k) out->AddSlot();
        continue;
      }
      if (!LoadRow(kinds, values)) return false;
      // The rules of one record share one step budget, as in RuleBatch: the
      // first rule past it hit its own limit, the ones after it the record's.
      steps_ = 0;
      for (const ColumnRules::Node& root : roots) {
        const size_t slot = out->AddSlot();
        const bool first = steps_ == 0;
        try {
          Store(Eval(root), slot, out);
        } catch (const LimitReached&) {
          steps_ = max_steps_;
          out->SetError(slot, first ? Error{ErrorCode::kEvaluationLimit, "", StepLimitMessage(max_steps_)}
                                    : Error{ErrorCode::kBudgetExceeded, "", kStepBudgetMessage});
        }
        frames_.clear();
      }
      scratch_.clear();
    }
    out->Finish(in_.records);
    return true;
  }

 private:
  bool Cell(uint8_t kind, double value, uint32_t identity, V* v) {
    switch (kind) {
      case kColMissing:
      case kColNull: *v = V(); return true;
      case kColFalse: *v = V::Bool(false); return true;
      case kColTrue: *v = V::Bool(true); return true;
      case kColNumber: *v = V::Num(value); return true;
      case kColString: {
        if (!(value >= 0 && value < static_cast<double>(strings_.size()))) return false;
        const auto id = static_cast<uint32_t>(value);
        *v = V::Str(strings_[id], id);
        return true;
      }
      case kColArray: {
        if (!(value >= 0 && value < static_cast<double>(in_.pool_size))) return false;
        const auto at = static_cast<size_t>(value);
        const double n = in_.pool[at];
        if (!(n >= 0 && n <= static_cast<double>((in_.pool_size - at - 1) / 2))) return false;
        const auto len = static_cast<uint32_t>(n);
        const size_t first = items_.size();
        for (uint32_t i = 0; i < len; ++i) {
          V e;
          const double k = in_.pool[at + 1 + 2 * i];
          if (!(k >= 0 && k <= static_cast<double>(kColString)) ||  // elements are never lists (nor out of range)
              !Cell(static_cast<uint8_t>(k), in_.pool[at + 2 + 2 * i], 0, &e)) {
            return false;
          }
          items_.push_back(e);
        }
        v->kind = V::kArr;
        v->id = identity;
        v->len = len;
        v->items = nullptr;
        v->num = static_cast<double>(first);  // index into items_, pointed at once the row is loaded
        return true;
      }
      default: return false;
    }
  }

  bool LoadRow(const uint8_t* kinds, const double* values) {
    items_.clear();
    for (size_t c = 0; c < in_.columns; ++c) {
      missing_[c] = kinds[c] == kColMissing;
      if (!Cell(kinds[c], values[c], static_cast<uint32_t>(c), &row_[c])) return false;
    }
    for (V& v : row_) {
      if (v.kind == V::kArr) v.items = items_.data() + static_cast<size_t>(v.num);
    }
    return true;
  }

  V Eval(const ColumnRules::Node& n) {
    if (++steps_ > max_steps_) throw LimitReached{};
    const size_t argc = n.args.size();
    switch (n.op) {
      case Op::kLiteral:
        return n.literal;
      case Op::kVar: {
        if (n.element) return frames_.back();
        // json-logic-js gives the default only for a field that is not there (a null is returned).
        if (missing_[n.column] && n.has_default) return Eval(n.args[0]);
        return row_[n.column];
      }
      case Op::kIf: {
        size_t i = 0;
        for (; i + 1 < argc; i += 2) {
          if (Truthy(Eval(n.args[i]))) return Eval(n.args[i + 1]);
        }
        if (argc == i + 1) return Eval(n.args[i]);
        return V();
      }
      case Op::kAnd:
      case Op::kOr: {
        V current;
        for (const ColumnRules::Node& a : n.args) {
          current = Eval(a);
          if ((n.op == Op::kAnd) != Truthy(current)) return current;
        }
        return current;
      }
      case Op::kNot:
        return V::Bool(argc == 0 || !Truthy(Eval(n.args[0])));
      case Op::kNotNot:
        return V::Bool(argc > 0 && Truthy(Eval(n.args[0])));
      case Op::kEq:
      case Op::kNe:
      case Op::kStrictEq:
      case Op::kStrictNe: {
        const bool loose = n.op == Op::kEq || n.op == Op::kNe;
        bool r;
        if (argc < 2) {
          // Comparing with JS `undefined`: only null is loosely equal to it.
          r = argc == 0 || (loose && Eval(n.args[0]).kind == V::kNull);
        } else {
          const V a = Eval(n.args[0]);
          const V b = Eval(n.args[1]);
          r = loose ? LooseEquals(a, b) : StrictEquals(a, b);
        }
        return V::Bool((n.op == Op::kNe || n.op == Op::kStrictNe) ? !r : r);
      }
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        if (argc < 2) {
          for (const ColumnRules::Node& a : n.args) Eval(a);
          return V::Bool(false);
        }
        const V a = Eval(n.args[0]);
        const V b = Eval(n.args[1]);
        bool r;
        switch (n.op) {
          case Op::kLt: r = LessThan(a, b); break;
          case Op::kLe: r = LessOrEqual(a, b); break;
          case Op::kGt: r = LessThan(b, a); break;
          default: r = LessOrEqual(b, a); break;
        }
        if (r && argc >= 3 && (n.op == Op::kLt || n.op == Op::kLe)) {
          const V c = Eval(n.args[2]);
          r = n.op == Op::kLt ? LessThan(b, c) : LessOrEqual(b, c);
        }
        return V::Bool(r);
      }
      case Op::kAdd: {
        double sum = 0;
        for (const ColumnRules::Node& a : n.args) sum += ParseFloat(Eval(a));
        return V::Num(sum);
      }
      case Op::kMul: {
        if (argc == 0) return V::Num(1);
        if (argc == 1) return Eval(n.args[0]);  // json-logic-js returns a lone argument as is
        double p = ParseFloat(Eval(n.args[0]));
        for (size_t i = 1; i < argc; ++i) p = (i > 1 && p == 0 ? 0.0 : p) * ParseFloat(Eval(n.args[i]));
        return V::Num(p);
      }
      case Op::kSub: {
        if (argc == 0) return V::Num(kNaN);
        const double a = ToNumber(Eval(n.args[0]));
        if (argc == 1) return V::Num(-a);
        return V::Num(a - ToNumber(Eval(n.args[1])));
      }
      case Op::kDiv:
      case Op::kMod: {
        const double a = argc > 0 ? ToNumber(Eval(n.args[0])) : kNaN;
        const double b = argc > 1 ? ToNumber(Eval(n.args[1])) : kNaN;
        return V::Num(n.op == Op::kDiv ? a / b : std::fmod(a, b));
      }
      case Op::kMin:
      case Op::kMax: {
        const bool is_min = n.op == Op::kMin;
        double r = is_min ? kInf : -kInf;
        bool nan = false;
        for (const ColumnRules::Node& a : n.args) {
          const double d = ToNumber(Eval(a));
          if (std::isnan(d)) nan = true;
          else if (d == r) r = (is_min == std::signbit(d)) ? d : r;  // -0 ranks below +0
          else r = is_min ? std::min(r, d) : std::max(r, d);
        }
        return V::Num(nan ? kNaN : r);
      }
      case Op::kIn: {
        const V a = argc > 0 ? Eval(n.args[0]) : V();
        const V hay = argc > 1 ? Eval(n.args[1]) : V();
        if (hay.kind == V::kStr) {
          if (hay.str.empty()) return V::Bool(false);
          if (a.kind == V::kStr) return V::Bool(js::Contains(hay.str, a.str));
          std::string needle;
          AppendString(a, &needle);
          return V::Bool(js::Contains(hay.str, needle));
        }
        if (hay.kind == V::kArr) {
          for (uint32_t i = 0; i < hay.len; ++i) {
            if (StrictEquals(hay.items[i], a)) return V::Bool(true);
          }
        }
        return V::Bool(false);
      }
      case Op::kCat: {
        std::string& s = scratch_.emplace_back();
        for (const ColumnRules::Node& a : n.args) {
          const V v = Eval(a);
          if (v.kind != V::kNull) AppendString(v, &s);  // join() prints null as ""
        }
        return V::Str(s, kNoId);
      }
      case Op::kSubstr: {
        std::string text;
        if (argc > 0) AppendString(Eval(n.args[0]), &text);
        else text = "undefined";
        const double start = argc > 1 ? ToNumber(Eval(n.args[1])) : kNaN;
        std::string& s = scratch_.emplace_back();
        if (argc > 2) {
          const V end = Eval(n.args[2]);
          const double len = ToNumber(end);
          if (LessThan(end, V::Num(0))) {
            // Negative length drops characters from the end (PHP-style, as json-logic-js).
            const std::string temp = js::Substr(text, start, 0, false);
            s = js::Substr(temp, 0, static_cast<double>(js::Utf16Length(temp)) + len, true);
          } else {
            s = js::Substr(text, start, len, true);
          }
        } else {
          s = js::Substr(text, start, 0, false);
        }
        return V::Str(s, kNoId);
      }
      case Op::kNow:
        return V::Num(static_cast<double>(now_));
      case Op::kSome:
      case Op::kAll:
      case Op::kNone: {
        const V source = argc > 0 ? Eval(n.args[0]) : V();
        if (source.kind != V::kArr || source.len == 0) return V::Bool(n.op == Op::kNone);
        for (uint32_t i = 0; i < source.len; ++i) {
          frames_.push_back(source.items[i]);
          // No body: JsonLogic applies `undefined`, which is falsy.
          const bool t = argc > 1 && Truthy(Eval(n.args[1]));
          frames_.pop_back();
          if (n.op == Op::kAll && !t) return V::Bool(false);
          if (n.op == Op::kSome && t) return V::Bool(true);
          if (n.op == Op::kNone && t) return V::Bool(false);
        }
        return V::Bool(n.op != Op::kSome);
      }
      default:
        return V();  // not built (PlanBuilder refuses it)
    }
  }

  void Store(const V& v, size_t slot, RuleBatch* out) {
    switch (v.kind) {
      case V::kNull: return;
      case V::kBool: out->SetBool(slot, v.b); return;
      case V::kNum: out->SetNumber(slot, v.num); return;
      case V::kStr:
        if (v.id == kNoId) {
          out->SetString(slot, v.str);
        } else if (table_index_[v.id] != kNoId) {
          out->SetTableEntry(slot, table_index_[v.id]);
        } else {
          table_index_[v.id] = static_cast<uint32_t>(out->SetString(slot, v.str));
        }
        return;
      case V::kArr: out->SetValue(slot, ToJson(v)); return;
    }
  }

  const ColumnRules& rules_;
  const ColumnInput& in_;
  const int64_t now_;
  const int64_t max_steps_;
  int64_t steps_ = 0;
  std::vector<std::string_view>& strings_;
  std::vector<uint32_t>& table_index_;
  std::vector<V>& row_;
  std::vector<bool>& missing_;
  std::vector<V>& items_;
  std::vector<V>& frames_;
  std::deque<std::string>& scratch_;
};

}  // namespace

ColumnRules::ColumnRules() = default;
ColumnRules::~ColumnRules() = default;

std::unique_ptr<ColumnRules> ColumnRules::Build(const std::vector<std::shared_ptr<const Rule>>& rules) {
  std::unique_ptr<ColumnRules> out(new ColumnRules());
  PlanBuilder builder(&out->paths_, &out->strings_, &out->reads_time_);
  out->roots_.resize(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i] == nullptr || !builder.Build(*rules[i]->root_, 0, &out->roots_[i])) return nullptr;
  }
  for (Node& root : out->roots_) Finish(out->strings_, &root);
  return out;
}

void ColumnRules::Evaluate(const ColumnInput& in, double now, double max_steps, RuleBatch* out,
                           ColumnScratch* scratch) const {
  if (!std::isfinite(now)) {
    out->Fail(ErrorCode::kWrongArgumentType, "", "`now` must be a finite number of milliseconds.");
    return;
  }
  if (in.columns != paths_.size() || (in.records > 0 && in.columns > 0 && (in.kinds == nullptr || in.values == nullptr))) {
    out->Fail(ErrorCode::kWrongArgumentType, "", "The record columns do not match the rule set.");
    return;
  }
  const auto at = static_cast<int64_t>(std::trunc(std::fmax(-9e15, std::fmin(9e15, now))));
  const int64_t steps = CallLimit(max_steps, kDefaultCallSteps);
  try {
    ColumnEvaluator ev(*this, in, at, steps, *scratch->buffers_);
    if (!ev.Run(roots_, out)) out->Fail(ErrorCode::kWrongArgumentType, "", "The record columns are malformed.");
  } catch (const std::bad_alloc&) {
    out->Fail(ErrorCode::kOutOfMemory, "", "The batch is too large for the available memory.");
  } catch (const std::exception& e) {
    out->Fail(ErrorCode::kTooLarge, "", std::string("The batch could not be processed: ") + e.what() + ".");
  }
}

void ColumnRecords::Encode(const ColumnRules& rules, const json& records, bool unique_strings) {
  kinds_.clear();
  values_.clear();
  pool_.clear();
  offsets_.assign(1, 0);
  blob_.clear();
  skipped_.clear();
  std::map<std::string, uint32_t, std::less<>> ids;
  for (size_t i = 0; i < rules.strings().size(); ++i) ids.emplace(rules.strings()[i], static_cast<uint32_t>(i));
  auto next = static_cast<uint32_t>(rules.strings().size());
  auto intern = [&](const std::string& s) -> double {
    if (unique_strings) {
      if (auto it = ids.find(s); it != ids.end()) return it->second;
      ids.emplace(s, next);
    }
    blob_ += s;
    offsets_.push_back(static_cast<uint32_t>(blob_.size()));
    return next++;
  };
  // A scalar's cell; false for what the cells cannot hold.
  auto scalar = [&](const json& v, uint8_t* kind, double* value) {
    switch (v.type()) {
      case json::value_t::null: *kind = kColNull; return true;
      case json::value_t::boolean: *kind = v.get<bool>() ? kColTrue : kColFalse; return true;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
      case json::value_t::number_float:
        *kind = kColNumber;
        *value = v.get<double>();
        return true;
      case json::value_t::string:
        *kind = kColString;
        *value = intern(v.get_ref<const std::string&>());
        return true;
      default: return false;
    }
  };
  std::vector<std::vector<std::string>> paths;
  for (const std::string& p : rules.paths()) paths.push_back(SplitPath(p));
  const size_t columns = paths.size();
  for (const json& record : records) {
    bool skip = !record.is_object();
    for (const std::vector<std::string>& path : paths) {
      uint8_t kind = kColMissing;
      double value = 0;
      const json* cur = skip ? nullptr : &record;
      for (const std::string& seg : path) {
        if (cur == nullptr) break;
        if (cur->is_string() || cur->is_array()) {  // "s.length", "list.0": RuleBatch's
          skip = true;
          cur = nullptr;
        } else if (!cur->is_object()) {
          cur = nullptr;
        } else {
          auto it = cur->find(seg);
          cur = it == cur->end() ? nullptr : &*it;
        }
      }
      if (cur != nullptr) {
        if (cur->is_array()) {
          kind = kColArray;
          value = static_cast<double>(pool_.size());
          pool_.push_back(static_cast<double>(cur->size()));
          for (const json& item : *cur) {
            uint8_t k = kColNull;
            double v = 0;
            if (!scalar(item, &k, &v)) skip = true;
            pool_.push_back(k);
            pool_.push_back(v);
          }
        } else if (!scalar(*cur, &kind, &value)) {
          skip = true;
        }
      }
      kinds_.push_back(kind);
      values_.push_back(value);
    }
    if (skip && columns > 0) kinds_[kinds_.size() - columns] = kColSkip;
    skipped_.push_back(skip);
  }
  input_ = ColumnInput{};
  input_.records = records.is_array() ? records.size() : 0;
  input_.columns = columns;
  input_.kinds = kinds_.data();
  input_.values = values_.data();
  input_.pool = pool_.data();
  input_.pool_size = pool_.size();
  input_.strings = offsets_.size() - 1;
  input_.offsets = offsets_.data();
  input_.blob = blob_.data();
  input_.blob_size = blob_.size();
}

}  // namespace tagwise
