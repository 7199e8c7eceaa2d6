// Catalog lint (DESIGN.md section 5): what Catalog::Load reports, plus the
// structural checks redone on the raw JSON (so a catalog Load refuses is still
// fully checked), interval reasoning over rules, and sample coverage.
//
// Everything here works on the catalog JSON as given and never trusts its
// shape: every access checks the type first, every walk over a rule stops at
// LintOptions::max_depth, and JSON is only dumped after its depth is bounded
// (nlohmann's dump recurses).
#include "tagwise/lint.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/js_value.h"
#include "common/suggestions.h"

namespace tagwise {

using nlohmann::json;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Largest interval set kept per input; a bigger one is dropped, which only
// loses precision (no constraint is a sound answer both ways).
constexpr size_t kMaxIntervals = 64;
// Most pairwise "can both hold?" checks per catalog for same_priority_exclusive;
// past it, pairs are assumed to overlap (a warning, never a missed error).
constexpr int kMaxDisjointChecks = 20000;

// ---------------------------------------------------------------------------
// Sets of real numbers: finite unions of intervals, kept sorted and disjoint.

struct Interval {
  double lo;
  double hi;
  bool lo_in;  // lo belongs to the interval (never for -inf)
  bool hi_in;  // hi belongs to the interval (never for +inf)
};

bool IsEmpty(const Interval& i) { return i.lo > i.hi || (i.lo == i.hi && !(i.lo_in && i.hi_in)); }

// True when the interval contains a whole number. Errs towards true at
// magnitudes where doubles stop being exact, which keeps never_holds sound.
bool HasInteger(const Interval& i) {
  if (IsEmpty(i)) return false;
  if (i.lo == -kInf || i.hi == kInf) return true;
  double n = std::ceil(i.lo);
  if (n == i.lo && !i.lo_in) n += 1;
  return n < i.hi || (n == i.hi && i.hi_in);
}

// A set of values an input can take, seen as numbers: a union of real
// intervals, plus whether it contains "not a number" (text such as "abc"
// compares false with every number in JsonLogic, so it is its own point).
class RealSet {
 public:
  static RealSet All() { return RealSet({{-kInf, kInf, false, false}}, false); }
  static RealSet None() { return RealSet({}, false); }
  static RealSet Range(double lo, bool lo_in, double hi, bool hi_in) { return RealSet({{lo, hi, lo_in, hi_in}}, false); }
  static RealSet Point(double c) { return Range(c, true, c, true); }

  bool empty() const { return parts_.empty(); }  // no real number (nan aside)
  bool nan() const { return nan_; }
  const std::vector<Interval>& parts() const { return parts_; }

  RealSet Intersect(const RealSet& o) const {
    std::vector<Interval> out;
    for (const Interval& a : parts_) {
      for (const Interval& b : o.parts_) {
        Interval r{};
        if (a.lo > b.lo) r.lo = a.lo, r.lo_in = a.lo_in;
        else if (b.lo > a.lo) r.lo = b.lo, r.lo_in = b.lo_in;
        else r.lo = a.lo, r.lo_in = a.lo_in && b.lo_in;
        if (a.hi < b.hi) r.hi = a.hi, r.hi_in = a.hi_in;
        else if (b.hi < a.hi) r.hi = b.hi, r.hi_in = b.hi_in;
        else r.hi = a.hi, r.hi_in = a.hi_in && b.hi_in;
        if (!IsEmpty(r)) out.push_back(r);
      }
    }
    return RealSet(std::move(out), nan_ && o.nan_);
  }

  RealSet Union(const RealSet& o) const {
    std::vector<Interval> all = parts_;
    all.insert(all.end(), o.parts_.begin(), o.parts_.end());
    return RealSet(std::move(all), nan_ || o.nan_);
  }

  RealSet Complement() const {
    std::vector<Interval> out;
    double lo = -kInf;
    bool lo_in = false;
    for (const Interval& p : parts_) {
      Interval gap{lo, p.lo, lo_in, !p.lo_in};
      if (!IsEmpty(gap)) out.push_back(gap);
      lo = p.hi;
      lo_in = !p.hi_in;
    }
    Interval last{lo, kInf, lo_in && lo != kInf, false};
    if (!IsEmpty(last)) out.push_back(last);
    return RealSet(std::move(out), !nan_);
  }

 private:
  RealSet(std::vector<Interval> parts, bool nan) : nan_(nan) {
    parts.erase(std::remove_if(parts.begin(), parts.end(), IsEmpty), parts.end());
    std::sort(parts.begin(), parts.end(), [](const Interval& a, const Interval& b) {
      return a.lo < b.lo || (a.lo == b.lo && a.lo_in && !b.lo_in);
    });
    for (const Interval& p : parts) {
      if (!parts_.empty()) {
        Interval& cur = parts_.back();
        if (p.lo < cur.hi || (p.lo == cur.hi && (cur.hi_in || p.lo_in))) {
          if (p.hi > cur.hi) cur.hi = p.hi, cur.hi_in = p.hi_in;
          else if (p.hi == cur.hi) cur.hi_in = cur.hi_in || p.hi_in;
          continue;
        }
      }
      parts_.push_back(p);
    }
  }

  std::vector<Interval> parts_;
  bool nan_ = false;
};

// The values an input can take, as numbers (JsonLogic compares null as 0),
// and whether it can be something that is not a number at all.
struct Domain {
  RealSet set = RealSet::All();
  bool integer = false;
  bool nan = false;
};

// True when `s` holds a number the input can take (the nan point aside).
bool HasPoint(const RealSet& s, const Domain& d) {
  RealSet t = s.Intersect(d.set);
  if (!d.integer) return !t.empty();
  return std::any_of(t.parts().begin(), t.parts().end(), HasInteger);
}

// ---------------------------------------------------------------------------
// Small JSON helpers that never throw.

const json* Field(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string StrField(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

bool Present(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  return v != nullptr && !v->is_null();
}

// True when `j` nests at most `limit` levels (bounded recursion).
bool DepthAtMost(const json& j, int limit) {
  if (!j.is_structured()) return true;
  if (limit <= 0) return false;
  for (const json& v : j) {
    if (!DepthAtMost(v, limit - 1)) return false;
  }
  return true;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string NumberText(double d) { return js::NumberToString(d); }

std::string Suggest(const std::vector<std::string>& ids, const std::string& wanted, int* budget) {
  // Each call compares against every id; the budget bounds a catalog with
  // thousands of dangling references.
  if (wanted.size() > internal::kMaxSuggestBytes || ids.size() > 20000 || (*budget)-- <= 0) return {};
  // One edit for a word of up to 5 bytes, two from 6 (ids longer than
  // kMaxSuggestBytes are skipped). Transpositions count as two edits here.
  return internal::DidYouMeanInParentheses(internal::ClosestMatch(
      wanted, ids,
      {.max_distance = [](size_t word, size_t) -> size_t { return std::max<size_t>(1, std::min<size_t>(2, word / 3)); },
       .metric = internal::EditMetric::kLevenshtein}));
}

// ---------------------------------------------------------------------------
// Rule analysis: which parts of a rule can never / always hold.
//
// Abstract value of a condition, sound in both directions:
//   may[k]:  the condition holds  =>  value(k) is in may[k]      (for every k listed)
//   must[k]: value(k) is in must[k] for some listed k  =>  the condition holds
// plus flags for what is certain. `!` swaps and complements the two maps.

struct Abs {
  bool never = false;
  bool always = false;
  std::string reason;  // why, when a flag is set
  std::map<std::string, RealSet> may;
  std::map<std::string, RealSet> must;
};

// How an input reads as a JSON value, which matters for == and ===.
enum class Kind {
  kAny,           // attribute: any JSON (missing is null)
  kNumber,        // always a number (count, sum, distinct)
  kNumberOrNull,  // number, or null when nothing to aggregate (avg, min, max, days_since)
  kBool,          // true / false (exists)
};

struct Input {
  std::string describe;  // for messages: "age", "the number of order_paid events in the last 30d"
  Domain domain;
  Kind kind = Kind::kAny;
};

enum class Spot {
  kWhenRoot,    // the whole `when` rule
  kValueRoot,   // the whole `value` rule
  kFilterRoot,  // the whole `where` filter of an `events` aggregate
  kPart,        // a condition inside one of those
};

struct Candidate {
  std::string path;
  bool never = false;
  std::string reason;
  Spot spot = Spot::kPart;
};

// Two modes. Over numbers (with_text = false), conclusions hold whenever
// every input is a number or missing. With text (with_text = true), an
// attribute may also hold a value that is not a number, and conclusions hold
// for that too. Findings come from the first mode; the second tells which of
// them a non-numeric attribute value could escape.
class RuleAnalyzer {
 public:
  RuleAnalyzer(int max_depth, bool with_text) : max_depth_(max_depth), with_text_(with_text) {}

  // The topmost parts of `rule` (at `path`) that can never or always hold.
  // `whole` is what the root is (when or value); a bare literal root counts
  // only for `when` ("when": false).
  std::vector<Candidate> Check(const json& rule, const std::string& path, Spot whole) {
    std::vector<Candidate> found;
    Node root = Logical(rule, path, 0, whole == Spot::kWhenRoot, &found);
    for (Candidate& c : root.local) {
      if (c.path == path) c.spot = whole;
    }
    root.local.insert(root.local.end(), found.begin(), found.end());
    return std::move(root.local);
  }

  // The abstract value of a condition, without findings.
  Abs Evaluate(const json& rule) {
    std::vector<Candidate> ignored;
    return Logical(rule, "", 0, true, &ignored).abs;
  }

  Abs And(std::vector<Abs> children) const {
    Abs out;
    bool all_always = !children.empty();
    std::set<std::string> dropped;  // keys whose sets grew too large: no constraint (sound)
    std::optional<std::map<std::string, RealSet>> must;
    for (Abs& c : children) {
      if (c.never && !out.never) out.never = true, out.reason = c.reason;
      all_always = all_always && c.always;
      for (auto& [k, s] : c.may) {
        if (dropped.count(k)) continue;
        auto it = out.may.find(k);
        if (it == out.may.end()) it = out.may.emplace(k, s).first;
        else it->second = it->second.Intersect(s);
        if (it->second.parts().size() > kMaxIntervals) dropped.insert(k), out.may.erase(it);
      }
      if (c.always) continue;
      if (!must) {
        must = c.must;
        continue;
      }
      std::map<std::string, RealSet> common;
      for (auto& [k, s] : *must) {
        auto it = c.must.find(k);
        if (it == c.must.end()) continue;
        RealSet both = s.Intersect(it->second);
        if (both.parts().size() <= kMaxIntervals) common.emplace(k, std::move(both));
      }
      must = std::move(common);
    }
    if (must) out.must = std::move(*must);
    if (all_always && !out.never) out.always = true, out.reason = "every one of its conditions always holds";
    Derive(&out);
    return out;
  }

  Abs Or(std::vector<Abs> children) const {
    Abs out;
    bool all_never = !children.empty();
    std::set<std::string> dropped;
    std::optional<std::map<std::string, RealSet>> may;
    for (Abs& c : children) {
      if (c.always && !out.always) out.always = true, out.reason = c.reason;
      all_never = all_never && c.never;
      for (auto& [k, s] : c.must) {
        if (dropped.count(k)) continue;
        auto it = out.must.find(k);
        if (it == out.must.end()) it = out.must.emplace(k, s).first;
        else it->second = it->second.Union(s);
        if (it->second.parts().size() > kMaxIntervals) dropped.insert(k), out.must.erase(it);
      }
      if (c.never) continue;
      if (!may) {
        may = c.may;
        continue;
      }
      std::map<std::string, RealSet> common;
      for (auto& [k, s] : *may) {
        auto it = c.may.find(k);
        if (it == c.may.end()) continue;
        RealSet either = s.Union(it->second);
        if (either.parts().size() <= kMaxIntervals) common.emplace(k, std::move(either));
      }
      may = std::move(common);
    }
    if (may) out.may = std::move(*may);
    if (all_never && !out.always) out.never = true, out.reason = "none of its alternatives can hold";
    Derive(&out);
    return out;
  }

  Abs Not(const Abs& c) const {
    Abs out;
    for (const auto& [k, s] : c.must) out.may.emplace(k, s.Complement());
    for (const auto& [k, s] : c.may) out.must.emplace(k, s.Complement());
    Derive(&out);  // says it best when the maps alone decide
    if (c.always && !out.never) out.never = true, out.reason = "it negates a condition that always holds (" + c.reason + ")";
    if (c.never && !out.always) out.always = true, out.reason = "it negates a condition that never holds (" + c.reason + ")";
    if (out.never) out.must.clear();
    if (out.always) out.may.clear();
    return out;
  }

 private:
  struct Node {
    Abs abs;
    std::vector<Candidate> local;  // topmost constant parts inside, dropped if the node itself is constant
  };

  static Abs Constant(bool truth, std::string reason) {
    Abs a;
    (truth ? a.always : a.never) = true;
    a.reason = std::move(reason);
    return a;
  }

  // Sets the flags a projection makes certain, then keeps the maps consistent
  // with them (a condition that never holds has no sufficient condition, one
  // that always holds has no necessary one).
  void Derive(Abs* a) const {
    const std::map<std::string, Input>& inputs = inputs_;
    auto domain = [&](const std::string& k) {
      auto it = inputs.find(k);
      return it == inputs.end() ? Domain{} : it->second.domain;
    };
    auto describe = [&](const std::string& k) {
      auto it = inputs.find(k);
      return it == inputs.end() ? k : it->second.describe;
    };
    if (!a->never && !a->always) {
      for (const auto& [k, s] : a->may) {
        const Domain d = domain(k);
        if (HasPoint(s, d) || (with_text_ && s.nan() && d.nan)) continue;
        a->never = true;
        a->reason = "no possible value of " + describe(k) + " satisfies it";
        break;
      }
    }
    if (!a->never && !a->always) {
      for (const auto& [k, s] : a->must) {
        const Domain d = domain(k);
        if (HasPoint(s.Complement(), d) || (with_text_ && !s.nan() && d.nan)) continue;
        a->always = true;
        a->reason = "every possible value of " + describe(k) + " satisfies it";
        break;
      }
    }
    if (a->never) a->must.clear();
    if (a->always) a->may.clear();
  }

  static std::vector<const json*> Args(const json& values) {
    std::vector<const json*> out;
    if (values.is_array()) {
      for (const json& v : values) out.push_back(&v);
    } else {
      out.push_back(&values);
    }
    return out;
  }

  static std::string ArgPath(const std::string& op_path, const json& values, size_t i) {
    return values.is_array() ? JoinPointer(op_path, std::to_string(i)) : op_path;
  }

  static bool IsLogical(const std::string& op) {
    return op == "and" || op == "or" || op == "!" || op == "!!" || IsComparison(op);
  }
  static bool IsComparison(const std::string& op) {
    return op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=" || op == "===" ||
           op == "!==";
  }

  // A condition in a logical position: and/or/!/!! children, the rule root.
  Node Logical(const json& j, const std::string& path, int depth, bool literal_counts,
               std::vector<Candidate>* found) {
    Node n;
    if (depth > max_depth_) return n;
    if (j.is_primitive()) {
      if (literal_counts) n.abs = Constant(js::Truthy(j), "it is the fixed value " + Dump(j));
      return Finish(std::move(n), path);
    }
    if (!j.is_object() || j.size() != 1) {
      Scan(j, path, depth, found);
      return n;
    }
    const std::string& op = j.begin().key();
    const json& values = j.begin().value();
    const std::string op_path = JoinPointer(path, op);
    if (!IsLogical(op)) {
      Scan(j, path, depth, found);
      return n;
    }
    std::vector<const json*> args = Args(values);
    if (op == "and" || op == "or") {
      if (args.empty()) return n;
      std::vector<Abs> abs;
      for (size_t i = 0; i < args.size(); ++i) {
        Node c = Logical(*args[i], ArgPath(op_path, values, i), depth + 1, true, found);
        abs.push_back(std::move(c.abs));
        n.local.insert(n.local.end(), c.local.begin(), c.local.end());
      }
      n.abs = op == "and" ? And(std::move(abs)) : Or(std::move(abs));
      return Finish(std::move(n), path);
    }
    if (op == "!" || op == "!!") {
      if (args.size() != 1) {
        for (size_t i = 0; i < args.size(); ++i) Scan(*args[i], ArgPath(op_path, values, i), depth + 1, found);
        return n;
      }
      Node c = Logical(*args[0], ArgPath(op_path, values, 0), depth + 1, true, found);
      n.abs = op == "!" ? Not(c.abs) : c.abs;
      n.local = std::move(c.local);
      return Finish(std::move(n), path);
    }
    // A comparison: its operands are values, not conditions; look inside them
    // for conditions of their own (an `events` filter, an `if`).
    for (size_t i = 0; i < args.size(); ++i) Scan(*args[i], ArgPath(op_path, values, i), depth + 1, found);
    n.abs = Compare(op, args, depth);
    return Finish(std::move(n), path);
  }

  // A node whose abstract value is final: if constant, it replaces whatever
  // was found inside it.
  static Node Finish(Node n, const std::string& path) {
    if (n.abs.never || n.abs.always) {
      n.local.clear();
      n.local.push_back(Candidate{path, n.abs.never, n.abs.reason, Spot::kPart});
    }
    return n;
  }

  // A value position (operands, arguments of other operators): conditions
  // found below are reported on their own.
  void Scan(const json& j, const std::string& path, int depth, std::vector<Candidate>* found) {
    if (depth > max_depth_) return;
    if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i) Scan(j[i], JoinPointer(path, std::to_string(i)), depth + 1, found);
      return;
    }
    if (!j.is_object() || j.size() != 1) return;
    const std::string& op = j.begin().key();
    const json& values = j.begin().value();
    const std::string op_path = JoinPointer(path, op);
    if (op == "preserve" || op == "var" || op == "tag" || op == "tag_value") return;
    if (IsLogical(op)) {
      Node n = Logical(j, path, depth, false, found);
      found->insert(found->end(), n.local.begin(), n.local.end());
      return;
    }
    if (op == "events") {
      const json* spec = values.is_array() ? (values.size() == 1 ? &values[0] : nullptr) : &values;
      if (spec == nullptr) return;
      std::string spec_path = values.is_array() ? JoinPointer(op_path, "0") : op_path;
      const json* where = Field(*spec, "where");
      if (where == nullptr) return;
      std::string where_path = JoinPointer(spec_path, "where");
      Node n = Logical(*where, where_path, depth + 1, true, found);
      for (Candidate& c : n.local) {
        if (c.path == where_path) c.spot = Spot::kFilterRoot;
      }
      found->insert(found->end(), n.local.begin(), n.local.end());
      return;
    }
    std::vector<const json*> args = Args(values);
    for (size_t i = 0; i < args.size(); ++i) Scan(*args[i], ArgPath(op_path, values, i), depth + 1, found);
  }

  // ---- comparisons --------------------------------------------------------

  struct Operand {
    bool is_number = false;
    double number = 0;
    std::string key;  // an input, when non-empty
  };

  Operand Classify(const json& j, int depth) {
    Operand o;
    if (j.is_number()) {
      o.is_number = true;
      o.number = j.get<double>();
      return o;
    }
    if (depth <= max_depth_) o.key = InputKey(j);
    return o;
  }

  // Holding set of `x op c` for numeric x (relational operators).
  static RealSet Relation(const std::string& op, double c) {
    if (op == "<") return RealSet::Range(-kInf, false, c, false);
    if (op == "<=") return RealSet::Range(-kInf, false, c, true);
    if (op == ">") return RealSet::Range(c, false, kInf, false);
    return RealSet::Range(c, true, kInf, false);  // >=
  }
  static std::string Flip(const std::string& op) {
    if (op == "<") return ">";
    if (op == "<=") return ">=";
    if (op == ">") return "<";
    if (op == ">=") return "<=";
    return op;
  }
  static bool Holds(const std::string& op, double a, double b) {
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == ">") return a > b;
    if (op == ">=") return a >= b;
    if (op == "==" || op == "===") return a == b;
    return a != b;  // != !==
  }

  Abs Atom(const std::string& key, RealSet may, RealSet must) {
    Abs a;
    a.may.emplace(key, std::move(may));
    a.must.emplace(key, std::move(must));
    Derive(&a);
    return a;
  }

  Abs Binary(const std::string& op, const Operand& a, const Operand& b) {
    if (a.is_number && b.is_number) return Constant(Holds(op, a.number, b.number), "it compares fixed numbers");
    const Operand* in = !a.key.empty() && b.is_number ? &a : (!b.key.empty() && a.is_number ? &b : nullptr);
    if (in == nullptr) return Abs{};
    const Operand& lit = in == &a ? b : a;
    const double c = lit.number;
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      RealSet s = Relation(in == &a ? op : Flip(op), c);
      return Atom(in->key, s, s);
    }
    // Equality with a number literal, by how the input reads as JSON.
    const bool strict = op == "===" || op == "!==";
    const Kind kind = inputs_[in->key].kind;
    RealSet may = RealSet::Point(c);
    RealSet must = RealSet::Point(c);
    if (kind == Kind::kBool && strict) {
      return Constant(op == "!==", inputs_[in->key].describe + " is true or false, never strictly equal to a number");
    }
    if (kind == Kind::kAny && strict) {
      must = RealSet::None();  // "5" reads as 5 but is not === 5
    } else if ((kind == Kind::kAny || kind == Kind::kNumberOrNull) && c == 0) {
      must = RealSet::None();  // null reads as 0 but is not == 0
    }
    Abs eq = Atom(in->key, std::move(may), std::move(must));
    return op == "==" || op == "===" ? eq : Not(eq);
  }

  Abs Compare(const std::string& op, const std::vector<const json*>& args, int depth) {
    if (args.size() == 2) return Binary(op, Classify(*args[0], depth + 1), Classify(*args[1], depth + 1));
    if (args.size() == 3 && (op == "<" || op == "<=")) {  // between: a < b && b < c
      Operand a = Classify(*args[0], depth + 1);
      Operand b = Classify(*args[1], depth + 1);
      Operand c = Classify(*args[2], depth + 1);
      return And({Binary(op, a, b), Binary(op, b, c)});
    }
    return Abs{};
  }

  // ---- inputs -------------------------------------------------------------

  // The canonical key of an input expression, registering it; "" when `j` is
  // not an input lint reasons about.
  std::string InputKey(const json& j) {
    if (!j.is_object() || j.size() != 1) return {};
    const std::string& op = j.begin().key();
    const json& values = j.begin().value();
    if (op == "var") return VarKey(values);
    if (op == "days_since" || op == "hours_since") {
      const json* arg = values.is_array() ? (values.size() == 1 ? &values[0] : nullptr) : &values;
      if (arg == nullptr || !arg->is_object() || arg->size() != 1 || arg->begin().key() != "var") return {};
      std::string inner = VarKey(arg->begin().value());
      if (inner.empty()) return {};
      std::string key = op + "\x1f" + inner;
      Input in;
      in.describe = (op == "days_since" ? "the days since " : "the hours since ") + inputs_[inner].describe;
      in.kind = Kind::kNumberOrNull;
      in.domain.nan = true;  // a date that is not a date
      inputs_[key] = in;
      return key;
    }
    if (op == "events") {
      const json* spec = values.is_array() ? (values.size() == 1 ? &values[0] : nullptr) : &values;
      if (spec == nullptr || !DepthAtMost(*spec, 32)) return {};
      return EventsKey(*spec);
    }
    return {};
  }

  std::string VarKey(const json& values) {
    const json* first = &values;
    const json* fallback = nullptr;
    if (values.is_array()) {
      if (values.size() > 2) return {};
      first = values.empty() ? nullptr : &values[0];
      if (values.size() == 2) fallback = &values[1];
    }
    std::string path;
    if (first != nullptr && !first->is_null()) {
      if (first->is_string()) path = first->get<std::string>();
      else if (first->is_number()) path = js::ToString(*first);
      else return {};  // computed path
    }
    if (fallback != nullptr && !fallback->is_primitive()) return {};
    std::string key = "var\x1f" + path;
    if (fallback != nullptr && !fallback->is_null()) key += "\x1f" + Dump(*fallback);
    Input in;
    in.describe = path.empty() ? "the whole data" : path;
    in.domain.nan = true;  // attributes can hold anything
    inputs_[key] = in;
    return key;
  }

  std::string EventsKey(const json& spec) {
    std::string types = "any";
    std::string agg = "count";
    std::string field;
    std::string within;
    bool filtered = false;
    bool decayed = false;
    if (spec.is_string()) {
      types = spec.get<std::string>();
    } else if (spec.is_object()) {
      if (const json* t = Field(spec, "type")) {
        if (t->is_string()) {
          types = t->get<std::string>();
        } else if (t->is_array()) {
          types.clear();
          for (const json& v : *t) {
            if (!v.is_string()) return {};
            types += (types.empty() ? "" : "/") + v.get<std::string>();
          }
        } else {
          return {};
        }
      }
      if (const json* a = Field(spec, "agg"); a != nullptr && !a->is_null()) {
        if (!a->is_string()) return {};
        agg = a->get<std::string>();
      }
      if (const json* f = Field(spec, "field"); f != nullptr) field = f->is_string() ? f->get<std::string>() : Dump(*f);
      if (const json* w = Field(spec, "within"); w != nullptr && !w->is_null()) {
        within = w->is_string() ? w->get<std::string>() : Dump(*w) + "ms";
      }
      filtered = Present(spec, "where");
      decayed = Present(spec, "half_life");
    } else {
      return {};
    }
    Input in;
    std::string over = types + " events" + (filtered ? " matching its filter" : "") +
                       (within.empty() ? "" : " in the last " + within);
    if (agg == "count") {
      in.kind = Kind::kNumber;
      in.domain.set = RealSet::Range(0, true, kInf, false);
      in.domain.integer = !decayed;
      in.describe = std::string(decayed ? "the time-decayed number of " : "the number of ") + over;
    } else if (agg == "distinct") {
      in.kind = Kind::kNumber;
      in.domain.set = RealSet::Range(0, true, kInf, false);
      in.domain.integer = true;
      in.describe = "the number of distinct " + field + " values in " + over;
    } else if (agg == "sum") {
      in.kind = Kind::kNumber;
      in.describe = "the sum of " + field + " over " + over;
    } else if (agg == "avg" || agg == "min" || agg == "max") {
      in.kind = Kind::kNumberOrNull;
      in.describe = std::string(agg == "avg" ? "the average " : (agg == "min" ? "the smallest " : "the largest ")) +
                    field + " over " + over;
    } else if (agg == "first_ts" || agg == "last_ts") {
      in.kind = Kind::kNumberOrNull;
      in.describe = std::string(agg == "first_ts" ? "the time of the first of " : "the time of the last of ") + over;
    } else if (agg == "exists") {
      in.kind = Kind::kBool;
      in.domain.set = RealSet::Range(0, true, 1, true);
      in.domain.integer = true;
      in.describe = "whether there are " + over;
    } else {
      return {};
    }
    json spec_object = spec;
    if (spec.is_string()) {  // "order_paid" means {"type": "order_paid"}
      spec_object = json::object();
      spec_object["type"] = spec;
    }
    std::string key = "events\x1f" + Dump(spec_object);
    inputs_[key] = in;
    return key;
  }

  int max_depth_;
  bool with_text_;
  std::map<std::string, Input> inputs_;
};

// ---------------------------------------------------------------------------
// The catalog as lint sees it (raw JSON, nothing trusted).

struct TagEntry {
  const json* obj = nullptr;
  std::string id;  // "" when the entry has no usable id
  std::string name;
  std::string parent;
  std::string group;
  int priority = 0;
  bool core = false;
  bool server = false;
  bool has_when = false;
  bool usable = false;  // has an id and is its first occurrence
  std::vector<int> children;
};

struct GroupEntry {
  std::string id;
  std::string name;
  bool exclusive = false;
  bool usable = false;
  std::vector<int> members;
};

// A dependency edge `from` -> `to`: `from` must be decided before `to`.
// Node ids: tags 0..n-1, groups n..n+g-1. `owner` is the tag whose JSON holds
// `path` (the reference, or the child's "parent" / "group" field).
struct Edge {
  enum Kind { kReference, kParent, kGroup };
  int from;
  int to;
  int owner;
  Kind kind;
  std::string path;
  // Which edge names a loop: the first tag's, and a rule reference before a
  // "parent" or "group" field (it says most about why).
  bool operator<(const Edge& o) const {
    if (owner != o.owner) return owner < o.owner;
    if (kind != o.kind) return kind < o.kind;
    return path < o.path;
  }
};

class Linter {
 public:
  Linter(const json& catalog, const LintOptions& options) : j_(catalog), options_(options) {}

  LintReport Run(const std::vector<Profile>* sample, int64_t now) {
    std::vector<LintFinding> own;
    try {
      CatalogLoadResult loaded = Catalog::Load(j_, options_.catalog);
      Read();
      Structure();
      Rules();
      own.swap(findings_);
      FromLoad(loaded, own);  // Load's findings come first
      findings_.insert(findings_.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
      if (sample != nullptr) Sample(loaded, *sample, now);
    } catch (const std::exception& e) {
      findings_.insert(findings_.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
      Add(Severity::kError, "lint_failed", "", "", std::string("The catalog could not be fully checked: ") + e.what() + ".");
    }
    if (findings_.size() > options_.max_findings) {
      findings_.resize(options_.max_findings);
      findings_.push_back(LintFinding{Severity::kWarning, "too_many_findings", "", "",
                                      "There are more than " + std::to_string(options_.max_findings) +
                                          " findings; fix these and lint again to see the rest."});
    }
    report_.findings = std::move(findings_);
    return std::move(report_);
  }

 private:
  // ---- findings -----------------------------------------------------------

  void Add(Severity s, std::string code, std::string tag_id, std::string path, std::string message) {
    findings_.push_back(LintFinding{s, std::move(code), std::move(tag_id), std::move(path), std::move(message)});
  }

  // "高活跃用户 (active_high)", or the id alone when there is no other name.
  std::string Label(int t) const {
    const TagEntry& e = tags_[static_cast<size_t>(t)];
    return e.name.empty() || e.name == e.id ? e.id : e.name + " (" + e.id + ")";
  }
  std::string GroupLabel(int g) const {
    const GroupEntry& e = groups_[static_cast<size_t>(g)];
    return e.name.empty() || e.name == e.id ? e.id : e.name + " (" + e.id + ")";
  }
  static std::string TagPath(int t) { return "/tags/" + std::to_string(t); }

  // The tag a JSON Pointer points into ("/tags/3/when/..." -> tags[3].id).
  std::string TagIdOfPath(const std::string& path) const {
    constexpr std::string_view kPrefix = "/tags/";
    if (path.compare(0, kPrefix.size(), kPrefix) != 0) return {};
    size_t i = kPrefix.size();
    size_t index = 0;
    bool digits = false;
    while (i < path.size() && path[i] >= '0' && path[i] <= '9' && index < 100000000) {
      index = index * 10 + static_cast<size_t>(path[i] - '0');
      ++i;
      digits = true;
    }
    if (!digits || (i < path.size() && path[i] != '/') || index >= tags_.size()) return {};
    return tags_[index].id;
  }

  // ---- reading ------------------------------------------------------------

  void Read() {
    const json* groups = Field(j_, "groups");
    if (groups != nullptr && groups->is_array()) {
      for (size_t g = 0; g < groups->size(); ++g) {
        const json& obj = (*groups)[g];
        GroupEntry e;
        e.id = StrField(obj, "id");
        e.name = StrField(obj, "name");
        const json* ex = Field(obj, "exclusive");
        e.exclusive = ex != nullptr && ex->is_boolean() && ex->get<bool>();
        if (!e.id.empty()) {
          auto [it, inserted] = group_index_.emplace(e.id, static_cast<int>(g));
          e.usable = inserted;
          if (!inserted) {
            Add(Severity::kError, "duplicate_id", "", "/groups/" + std::to_string(g) + "/id",
                "Group \"" + e.id + "\" is defined twice (also at /groups/" + std::to_string(it->second) +
                    "); give each group its own id.");
          }
        }
        groups_.push_back(std::move(e));
      }
    }
    const json* tags = Field(j_, "tags");
    if (tags == nullptr || !tags->is_array()) return;
    for (size_t t = 0; t < tags->size(); ++t) {
      const json& obj = (*tags)[t];
      TagEntry e;
      e.obj = &obj;
      e.id = StrField(obj, "id");
      e.name = StrField(obj, "name");
      e.parent = StrField(obj, "parent");
      e.group = StrField(obj, "group");
      if (const json* p = Field(obj, "priority"); p != nullptr && p->is_number()) {
        double d = p->get<double>();
        if (d == std::floor(d) && std::fabs(d) < 1e9) e.priority = static_cast<int>(d);
      }
      const json* core = Field(obj, "core");
      e.core = core != nullptr && core->is_boolean() && core->get<bool>();
      e.server = StrField(obj, "source") == "server";
      e.has_when = Present(obj, "when");
      if (!e.id.empty()) {
        auto [it, inserted] = tag_index_.emplace(e.id, static_cast<int>(t));
        e.usable = inserted;
        if (!inserted) {
          Add(Severity::kError, "duplicate_id", e.id, TagPath(static_cast<int>(t)) + "/id",
              "Tag \"" + e.id + "\" is defined twice (also at /tags/" + std::to_string(it->second) +
                  "); give each tag its own id.");
        }
      }
      tags_.push_back(std::move(e));
    }
    for (const auto& [id, index] : tag_index_) ids_.push_back(id);
    std::sort(ids_.begin(), ids_.end());
  }

  // ---- structure ----------------------------------------------------------

  void Structure() {
    const int n = static_cast<int>(tags_.size());
    std::vector<std::string> group_ids;
    for (const GroupEntry& g : groups_) {
      if (g.usable) group_ids.push_back(g.id);
    }
    for (int t = 0; t < n; ++t) {
      TagEntry& e = tags_[static_cast<size_t>(t)];
      if (!e.usable) continue;
      if (!e.parent.empty()) {
        auto p = tag_index_.find(e.parent);
        if (e.parent == e.id) {
          Add(Severity::kError, "self_parent", e.id, TagPath(t) + "/parent",
              Label(t) + " names itself as its parent; a tag's parent must be another tag.");
        } else if (p == tag_index_.end()) {
          Add(Severity::kError, "unknown_parent", e.id, TagPath(t) + "/parent",
              "The parent of " + Label(t) + " is \"" + e.parent + "\", but there is no tag with that id" +
                  Suggest(ids_, e.parent, &suggest_budget_) + ".");
        } else {
          tags_[static_cast<size_t>(p->second)].children.push_back(t);
        }
      }
      if (!e.group.empty()) {
        auto g = group_index_.find(e.group);
        if (g == group_index_.end()) {
          Add(Severity::kError, "unknown_group", e.id, TagPath(t) + "/group",
              Label(t) + " is in group \"" + e.group + "\", but the catalog defines no such group" +
                  Suggest(group_ids, e.group, &suggest_budget_) + ".");
        } else {
          groups_[static_cast<size_t>(g->second)].members.push_back(t);
        }
      }
      for (const char* field : {"when", "value"}) {
        const json* rule = Field(*e.obj, field);
        if (rule == nullptr || rule->is_null()) continue;
        too_deep_reported_ = false;
        const std::string rule_path = TagPath(t) + "/" + field;
        WalkReferences(*rule, rule_path, 0, t);
        for (const RuleCost& c : RuleCostWarnings(*rule, options_.max_depth)) {
          Add(Severity::kWarning, "costly_rule", e.id, rule_path + c.path,
              Label(t) + ": " + c.message + " The evaluation budgets stop it; the tag then fails.");
        }
      }
    }
    ExclusiveAncestors();
    Cycles();
    SamePriority();
    Unused();
    CoreCount();
  }

  // Finds `tag`/`tag_value` references (edges and unknown ids) and nesting
  // beyond the depth limit, walking the rule the way the compiler does.
  void WalkReferences(const json& j, const std::string& path, int depth, int owner) {
    if (depth > options_.max_depth) {
      if (!too_deep_reported_) {
        too_deep_reported_ = true;
        Add(Severity::kError, "too_deep", tags_[static_cast<size_t>(owner)].id, path,
            "The rule of " + Label(owner) + " is nested more than " + std::to_string(options_.max_depth) +
                " levels deep; simplify it (lint did not look deeper).");
      }
      return;
    }
    if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i) WalkReferences(j[i], JoinPointer(path, std::to_string(i)), depth + 1, owner);
      return;
    }
    if (!j.is_object() || j.size() != 1) return;
    const std::string& op = j.begin().key();
    const json& values = j.begin().value();
    const std::string op_path = JoinPointer(path, op);
    const bool single = !values.is_array();
    if (op == "preserve") return;
    if (op == "tag" || op == "tag_value") {
      const json* arg = single ? &values : (values.empty() ? nullptr : &values[0]);
      if (arg == nullptr || !arg->is_string() || arg->get_ref<const std::string&>().empty()) return;
      const std::string& target = arg->get_ref<const std::string&>();
      const std::string arg_path = single ? op_path : JoinPointer(op_path, "0");
      auto it = tag_index_.find(target);
      if (it == tag_index_.end()) {
        Add(Severity::kError, "unknown_tag_reference", tags_[static_cast<size_t>(owner)].id, arg_path,
            "The rule of " + Label(owner) + " reads tag \"" + target + "\", but there is no tag with that id" +
                Suggest(ids_, target, &suggest_budget_) + ".");
      } else {
        references_.push_back({it->second, owner, arg_path});
      }
      return;
    }
    if (op == "events") {
      const json* spec = single ? &values : (values.size() == 1 ? &values[0] : nullptr);
      if (spec == nullptr) return;
      const json* where = Field(*spec, "where");
      if (where == nullptr) return;
      std::string spec_path = single ? op_path : JoinPointer(op_path, "0");
      WalkReferences(*where, JoinPointer(spec_path, "where"), depth + 1, owner);
      return;
    }
    if (single) {
      WalkReferences(values, op_path, depth + 1, owner);
      return;
    }
    for (size_t i = 0; i < values.size(); ++i) {
      WalkReferences(values[i], JoinPointer(op_path, std::to_string(i)), depth + 1, owner);
    }
  }

  int ExclusiveGroupOf(int t) const {
    const TagEntry& e = tags_[static_cast<size_t>(t)];
    if (!e.usable || e.group.empty()) return -1;
    auto g = group_index_.find(e.group);
    if (g == group_index_.end() || !groups_[static_cast<size_t>(g->second)].exclusive) return -1;
    return g->second;
  }

  int ParentOf(int t) const {
    const TagEntry& e = tags_[static_cast<size_t>(t)];
    if (!e.usable || e.parent.empty() || e.parent == e.id) return -1;
    auto p = tag_index_.find(e.parent);
    return p == tag_index_.end() ? -1 : p->second;
  }

  // A child always brings its ancestors, so a child and an ancestor in one
  // exclusive group can never be resolved (Catalog::Load sees a loop).
  void ExclusiveAncestors() {
    const int n = static_cast<int>(tags_.size());
    constexpr int kMaxAncestorSteps = 256;
    for (int c = 0; c < n; ++c) {
      int g = ExclusiveGroupOf(c);
      if (g < 0) continue;
      // Parent chains are short; a bound keeps a parent loop (reported as a
      // cycle) or a pathological chain from costing n steps per tag.
      int steps = 0;
      for (int a = ParentOf(c); a >= 0 && a != c && steps < kMaxAncestorSteps; a = ParentOf(a), ++steps) {
        if (ExclusiveGroupOf(a) != g) continue;
        flagged_groups_.insert(g);
        Add(Severity::kError, "exclusive_ancestor", tags_[static_cast<size_t>(c)].id, TagPath(c) + "/group",
            Label(c) + " and its ancestor " + Label(a) + " are both in the exclusive group " + GroupLabel(g) +
                ", but holding " + Label(c) + " always means holding " + Label(a) +
                ", so they cannot exclude each other; move one of them out of the group.");
        break;
      }
    }
  }

  // The dependency graph Catalog::Load orders evaluation by, and its loops.
  void Cycles() {
    const int n = static_cast<int>(tags_.size());
    const int total = n + static_cast<int>(groups_.size());
    auto final_node = [&](int t) {
      int g = ExclusiveGroupOf(t);
      return g >= 0 ? n + g : t;
    };
    std::vector<Edge> edges;
    for (const Reference& r : references_) edges.push_back({final_node(r.target), r.owner, r.owner, Edge::kReference, r.path});
    for (int c = 0; c < n; ++c) {
      int p = ParentOf(c);
      if (p >= 0) edges.push_back({final_node(c), p, c, Edge::kParent, TagPath(c) + "/parent"});
      if (ExclusiveGroupOf(c) >= 0) edges.push_back({c, final_node(c), c, Edge::kGroup, TagPath(c) + "/group"});
    }
    std::vector<std::vector<int>> out(static_cast<size_t>(total));
    for (size_t e = 0; e < edges.size(); ++e) out[static_cast<size_t>(edges[e].from)].push_back(static_cast<int>(e));
    std::vector<int> component = StronglyConnected(edges, out, total);

    // One finding per loop, on its edge whose owner comes first in the catalog.
    std::map<int, int> best;  // component -> edge
    for (size_t e = 0; e < edges.size(); ++e) {
      const Edge& ed = edges[e];
      int comp = component[static_cast<size_t>(ed.from)];
      if (comp != component[static_cast<size_t>(ed.to)]) continue;
      auto it = best.find(comp);
      if (it == best.end()) {
        best.emplace(comp, static_cast<int>(e));
        continue;
      }
      if (ed < edges[static_cast<size_t>(it->second)]) it->second = static_cast<int>(e);
    }
    std::vector<int> chosen;
    for (const auto& [comp, e] : best) chosen.push_back(e);
    std::sort(chosen.begin(), chosen.end(),
              [&](int a, int b) { return edges[static_cast<size_t>(a)] < edges[static_cast<size_t>(b)]; });
    for (int e : chosen) {
      const Edge& ed = edges[static_cast<size_t>(e)];
      int comp = component[static_cast<size_t>(ed.from)];
      bool explained = false;
      for (int g : flagged_groups_) explained = explained || component[static_cast<size_t>(n + g)] == comp;
      if (explained) continue;  // exclusive_ancestor already says why
      std::vector<int> loop = Loop(edges, out, component, e);
      std::string text;
      for (size_t k = 0; k < loop.size(); ++k) {
        int node = loop[k];
        std::string label = node < n ? Label(node) : "the exclusive group " + GroupLabel(node - n);
        text += k == 0 ? label : (k == 1 ? " needs " : ", which needs ") + label;
      }
      Add(Severity::kError, "cycle", tags_[static_cast<size_t>(ed.owner)].id, ed.path,
          "These tags wait on each other in a loop, so none of them can be decided: " + text + ".");
    }
  }

  // Tarjan's algorithm, iterative (catalogs can have thousands of tags and
  // the wasm stack is small). Returns the component of every node; nodes
  // alone in their component without a self edge get a unique id anyway,
  // and only edges inside one component matter to the caller.
  static std::vector<int> StronglyConnected(const std::vector<Edge>& edges, const std::vector<std::vector<int>>& out,
                                            int total) {
    std::vector<int> index(static_cast<size_t>(total), -1), low(static_cast<size_t>(total), 0),
        component(static_cast<size_t>(total), -1);
    std::vector<char> on_stack(static_cast<size_t>(total), 0);
    std::vector<int> stack;
    std::vector<std::pair<int, size_t>> call;  // node, next edge position
    int counter = 0;
    int components = 0;
    for (int root = 0; root < total; ++root) {
      if (index[static_cast<size_t>(root)] >= 0) continue;
      call.push_back({root, 0});
      while (!call.empty()) {
        auto& [v, pos] = call.back();
        const size_t vi = static_cast<size_t>(v);
        if (pos == 0 && index[vi] < 0) {
          index[vi] = low[vi] = counter++;
          stack.push_back(v);
          on_stack[vi] = 1;
        }
        if (pos < out[vi].size()) {
          int w = edges[static_cast<size_t>(out[vi][pos])].to;
          ++pos;
          const size_t wi = static_cast<size_t>(w);
          if (index[wi] < 0) {
            call.push_back({w, 0});
          } else if (on_stack[wi]) {
            low[vi] = std::min(low[vi], index[wi]);
          }
          continue;
        }
        if (low[vi] == index[vi]) {
          int w;
          do {
            w = stack.back();
            stack.pop_back();
            on_stack[static_cast<size_t>(w)] = 0;
            component[static_cast<size_t>(w)] = components;
          } while (w != v);
          ++components;
        }
        int done = v;
        call.pop_back();
        if (!call.empty()) {
          size_t pi = static_cast<size_t>(call.back().first);
          low[pi] = std::min(low[pi], low[static_cast<size_t>(done)]);
        }
      }
    }
    return component;
  }

  // A shortest loop through edge `e`, in "needs" order: [to, from, ..., to],
  // where each node needs the next (edge v -> w means w needs v).
  static std::vector<int> Loop(const std::vector<Edge>& edges, const std::vector<std::vector<int>>& out,
                               const std::vector<int>& component, int e) {
    const Edge& start = edges[static_cast<size_t>(e)];
    const int comp = component[static_cast<size_t>(start.from)];
    // Breadth-first from `to` back to `from`, inside the component.
    std::vector<int> prev(component.size(), -2);
    std::vector<int> queue = {start.to};
    prev[static_cast<size_t>(start.to)] = -1;
    for (size_t q = 0; q < queue.size() && prev[static_cast<size_t>(start.from)] == -2; ++q) {
      for (int ei : out[static_cast<size_t>(queue[q])]) {
        int w = edges[static_cast<size_t>(ei)].to;
        if (component[static_cast<size_t>(w)] != comp || prev[static_cast<size_t>(w)] != -2) continue;
        prev[static_cast<size_t>(w)] = queue[q];
        queue.push_back(w);
      }
    }
    // Walking prev links from `from` gives the path to -> ... -> from backwards,
    // which is exactly the "needs" order after `to`.
    std::vector<int> needs = {start.to};
    if (start.from != start.to) {
      for (int v = start.from; v >= 0 && needs.size() <= component.size(); v = prev[static_cast<size_t>(v)]) {
        needs.push_back(v);
      }
    } else {
      needs.push_back(start.to);
    }
    return needs;
  }

  // Same priority in an exclusive group: when both hold, catalog order picks
  // the winner without anyone having chosen it. Pairs whose rules provably
  // never hold together are fine.
  void SamePriority() {
    int budget = kMaxDisjointChecks;
    for (size_t g = 0; g < groups_.size(); ++g) {
      const GroupEntry& group = groups_[g];
      if (!group.usable || !group.exclusive) continue;
      const auto& m = group.members;
      RuleAnalyzer analyzer(options_.max_depth, /*with_text=*/true);
      std::vector<std::optional<Abs>> when(m.size());  // computed on first use
      auto abs_of = [&](size_t i) -> const Abs& {
        if (!when[i]) when[i] = analyzer.Evaluate(*Field(*tags_[static_cast<size_t>(m[i])].obj, "when"));
        return *when[i];
      };
      for (size_t b = 1; b < m.size(); ++b) {
        const TagEntry& tb = tags_[static_cast<size_t>(m[b])];
        for (size_t a = 0; a < b; ++a) {
          const TagEntry& ta = tags_[static_cast<size_t>(m[a])];
          if (ta.priority != tb.priority) continue;
          if (OnlyByRule(ta) && OnlyByRule(tb) && budget-- > 0 &&
              analyzer.And({abs_of(a), abs_of(b)}).never) {
            continue;  // the two rules can never hold together
          }
          const bool has_priority = Present(*tb.obj, "priority");
          Add(Severity::kWarning, "same_priority_exclusive", tb.id, TagPath(m[b]) + (has_priority ? "/priority" : ""),
              Label(m[a]) + " and " + Label(m[b]) + " are in the exclusive group " + GroupLabel(static_cast<int>(g)) +
                  " with the same priority " + std::to_string(tb.priority) + ", so when both apply the one listed first wins" +
                  " silently; give them different priorities.");
          break;
        }
      }
    }
  }

  // True when only the tag's own `when` rule can give it (no children, not
  // server-sourced), so its rule alone says when it holds.
  static bool OnlyByRule(const TagEntry& t) { return t.has_when && !t.server && t.children.empty(); }

  // Nothing can give the tag to a user: no `when` rule, no child tags, and
  // not server-sourced. (A tag nobody references is fine: it is shown.)
  void Unused() {
    for (size_t t = 0; t < tags_.size(); ++t) {
      const TagEntry& e = tags_[t];
      if (!e.usable || e.has_when || e.server || !e.children.empty()) continue;
      Add(Severity::kWarning, "unused_tag", e.id, TagPath(static_cast<int>(t)),
          "Nothing can give " + Label(static_cast<int>(t)) +
              " to a user: it has no \"when\" rule, no child tags and is not a server tag.");
    }
    for (size_t g = 0; g < groups_.size(); ++g) {
      const GroupEntry& e = groups_[g];
      if (!e.usable || !e.members.empty()) continue;
      Add(Severity::kWarning, "unused_group", "", "/groups/" + std::to_string(g),
          "No tag belongs to the group " + GroupLabel(static_cast<int>(g)) + "; remove it or add tags to it.");
    }
  }

  void CoreCount() {
    int count = 0;
    int over = -1;
    for (size_t t = 0; t < tags_.size(); ++t) {
      if (!tags_[t].usable || !tags_[t].core) continue;
      if (++count == options_.max_core_tags + 1) over = static_cast<int>(t);
    }
    if (over < 0) return;
    Add(Severity::kWarning, "too_many_core_tags", tags_[static_cast<size_t>(over)].id, TagPath(over) + "/core",
        std::to_string(count) + " tags are marked core; keep the core set to " + std::to_string(options_.max_core_tags) +
            " or fewer so it stays small and meaningful (the first one over the limit is " + Label(over) + ").");
  }

  // ---- rules --------------------------------------------------------------

  void Rules() {
    for (size_t t = 0; t < tags_.size(); ++t) {
      const TagEntry& e = tags_[t];
      if (!e.usable) continue;
      for (const char* field : {"when", "value"}) {
        const json* rule = Field(*e.obj, field);
        if (rule == nullptr || rule->is_null()) continue;
        const bool is_when = std::string_view(field) == "when";
        const std::string path = TagPath(static_cast<int>(t)) + "/" + field;
        const Spot whole = is_when ? Spot::kWhenRoot : Spot::kValueRoot;
        std::vector<Candidate> numeric = RuleAnalyzer(options_.max_depth, false).Check(*rule, path, whole);
        if (numeric.empty()) continue;
        std::set<std::pair<std::string, bool>> certain;
        for (const Candidate& c : RuleAnalyzer(options_.max_depth, true).Check(*rule, path, whole)) {
          certain.insert({c.path, c.never});
        }
        for (Candidate& c : numeric) {
          if (!certain.count({c.path, c.never})) {
            c.reason += " (unless an attribute holds non-numeric text, which compares false with every number)";
          }
          Add(Severity::kWarning, c.never ? "never_holds" : "always_holds", e.id, c.path,
              RuleMessage(static_cast<int>(t), c, is_when));
        }
      }
    }
  }

  std::string RuleMessage(int t, const Candidate& c, bool in_when) const {
    const std::string tag = Label(t);
    std::string head;
    switch (c.spot) {
      case Spot::kWhenRoot:
        head = c.never ? tag + " can never be given to anyone" : tag + " is given to every user";
        break;
      case Spot::kValueRoot:
        head = "The value rule of " + tag + (c.never ? " is never true" : " is always true");
        break;
      case Spot::kFilterRoot:
        head = c.never ? "The events filter in the rule of " + tag + " matches no event"
                       : "The events filter in the rule of " + tag + " matches every event, so it can be removed";
        break;
      case Spot::kPart:
        head = std::string("This condition in the ") + (in_when ? "rule" : "value rule") + " of " + tag +
               (c.never ? " is never true" : " is always true");
        break;
    }
    return head + ": " + c.reason + ".";
  }

  // ---- what Catalog::Load says --------------------------------------------

  // Load's findings first; codes lint checks itself on the raw JSON (and so
  // reports even when Load stops early) are taken from lint.
  void FromLoad(const CatalogLoadResult& loaded, const std::vector<LintFinding>& own) {
    auto deep_in = [&](const std::string& tag_id) {
      return std::any_of(own.begin(), own.end(), [&](const LintFinding& f) {
        return f.code == "too_deep" && f.tag_id == tag_id;
      });
    };
    for (const auto* list : {&loaded.errors, &loaded.warnings}) {
      for (const Error& e : *list) {
        if (e.code == ErrorCode::kUnknownTag || e.code == ErrorCode::kCycle || e.code == ErrorCode::kDuplicateId) continue;
        std::string tag_id = TagIdOfPath(e.path);
        if (e.code == ErrorCode::kTooDeep && deep_in(tag_id)) continue;
        Add(e.severity, std::string(ErrorCodeName(e.code)), tag_id, e.path, e.message);
      }
    }
  }

  // ---- sample -------------------------------------------------------------

  void Sample(const CatalogLoadResult& loaded, const std::vector<Profile>& sample, int64_t now) {
    report_.sample_size = static_cast<int64_t>(sample.size());
    if (!loaded.ok()) {
      Add(Severity::kWarning, "sample_skipped", "", "",
          "The user sample was not evaluated because the catalog has errors; fix them and lint again.");
      return;
    }
    const Catalog& catalog = *loaded.catalog;
    const size_t n = catalog.tags().size();
    std::vector<int64_t> holds(n, 0), failed(n, 0), lost(n, 0);
    std::vector<std::string> first_error(n);
    Engine engine(loaded.catalog, options_.engine);
    const ServerTags no_server;
    for (const Profile& p : sample) {
      Evaluation ev = engine.EvaluateAll(p, no_server, now);
      for (size_t t = 0; t < n && t < ev.decisions.size(); ++t) {
        const TagDecision& d = ev.decisions[t];
        if (d.holds) ++holds[t];
        if (d.source == DecisionSource::kExclusiveLoser) ++lost[t];
        if (d.source == DecisionSource::kError) {
          if (failed[t]++ == 0) first_error[t] = d.error;
        }
      }
    }
    const double size = static_cast<double>(sample.size());
    for (size_t t = 0; t < n; ++t) {
      const TagDef& def = catalog.tags()[t];
      TagCoverage c{def.id, holds[t], size > 0 ? static_cast<double>(holds[t]) / size : 0.0};
      report_.coverage.push_back(c);
      const int index = SourceIndex(def.id);
      const std::string path = index >= 0 ? TagPath(index) : "";
      const std::string label = index >= 0 ? Label(index) : def.id;
      if (failed[t] > 0) {
        Add(Severity::kWarning, "rule_error", def.id, path,
            "The rule of " + label + " failed for " + std::to_string(failed[t]) + " of " + std::to_string(sample.size()) +
                " sample users (" + first_error[t] + ").");
      }
      if (sample.empty() || def.server) continue;
      if (holds[t] == 0) {
        std::string why = lost[t] > 0 ? "its rule matched " + std::to_string(lost[t]) +
                                            " of them, but another member of its exclusive group always won"
                                      : "check its rule against real data";
        Add(Severity::kWarning, "dead_tag", def.id, path,
            "No user in the sample of " + std::to_string(sample.size()) + " holds " + label + "; " + why + ".");
      } else if (c.share < options_.low_coverage) {
        Add(Severity::kWarning, "low_coverage", def.id, path,
            "Only " + std::to_string(holds[t]) + " of " + std::to_string(sample.size()) + " sample users hold " + label +
                ", fewer than the " + NumberText(options_.low_coverage * 100) + "% threshold.");
      }
    }
  }

  int SourceIndex(const std::string& id) const {
    auto it = tag_index_.find(id);
    return it == tag_index_.end() ? -1 : it->second;
  }

  struct Reference {
    int target;
    int owner;
    std::string path;
  };

  const json& j_;
  const LintOptions& options_;
  LintReport report_;
  std::vector<LintFinding> findings_;
  int suggest_budget_ = 100;  // "did you mean" lookups per lint
  bool too_deep_reported_ = false;
  std::vector<TagEntry> tags_;
  std::vector<GroupEntry> groups_;
  std::unordered_map<std::string, int> tag_index_;
  std::unordered_map<std::string, int> group_index_;
  std::vector<std::string> ids_;
  std::vector<Reference> references_;
  std::set<int> flagged_groups_;
};

}  // namespace

bool LintReport::has_errors() const {
  return std::any_of(findings.begin(), findings.end(), [](const LintFinding& f) { return f.severity == Severity::kError; });
}

LintReport LintCatalog(const json& catalog_json, const LintOptions& options) {
  return Linter(catalog_json, options).Run(nullptr, 0);
}

LintReport LintCatalogWithSample(const json& catalog_json, const std::vector<Profile>& sample, int64_t now,
                                 const LintOptions& options) {
  return Linter(catalog_json, options).Run(&sample, now);
}

std::string FormatFindings(const std::vector<LintFinding>& findings) {
  std::string out;
  for (const LintFinding& f : findings) {
    out += f.severity == Severity::kError ? "error " : "warning ";
    out += f.code;
    out += " at ";
    out += f.path.empty() ? "/" : f.path;
    if (!f.tag_id.empty()) out += " [" + f.tag_id + "]";
    out += ": ";
    out += f.message;
    out += '\n';
  }
  return out;
}

json LintReportToJson(const LintReport& report) {
  json findings = json::array();
  for (const LintFinding& f : report.findings) {
    findings.push_back({{"severity", f.severity == Severity::kError ? "error" : "warning"},
                        {"code", f.code},
                        {"tag_id", f.tag_id},
                        {"path", f.path},
                        {"message", f.message}});
  }
  json coverage = json::array();
  for (const TagCoverage& c : report.coverage) {
    coverage.push_back({{"tag_id", c.tag_id}, {"users", c.users}, {"share", c.share}});
  }
  return {{"findings", std::move(findings)}, {"coverage", std::move(coverage)}, {"sample_size", report.sample_size}};
}

}  // namespace tagwise
