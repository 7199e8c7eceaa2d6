#include "rules/evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "regex/bounded_regex.h"
#include "common/js_value.h"

namespace tagwise {

using nlohmann::json;

namespace {

// {key: value}, filled with operator[]: an initializer list would build the
// same object with far more code (it checks at run time whether it is one),
// and this file is in every module a page downloads.
json ObjectWith(const char* key, json value) {
  json o = json::object();
  o[key] = std::move(value);
  return o;
}

// Largest count cast to size_t from a rule's number: 2^31 fits size_t on
// wasm32 too, and no list or frame stack comes near it.
constexpr double kMaxCountCast = 2147483648.0;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMsPerDay = 86'400'000.0;
constexpr double kMsPerHour = 3'600'000.0;

// JS array index: "0" or a digit string without a leading zero.
bool CanonicalIndex(const std::string& s, size_t* out) {
  if (s.empty() || s.size() > 15 || (s.size() > 1 && s[0] == '0')) return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  *out = v;
  return true;
}

// Restores the scope stack when an iteration body returns or throws.
template <typename Frames>
class FrameGuard {
 public:
  FrameGuard(Frames* frames, typename Frames::value_type f) : frames_(frames) { frames_->push_back(f); }
  ~FrameGuard() { frames_->pop_back(); }
  FrameGuard(const FrameGuard&) = delete;
  FrameGuard& operator=(const FrameGuard&) = delete;

 private:
  Frames* frames_;
};

std::optional<double> NumberOrNull(const json& v) {
  if (v.is_null()) return std::nullopt;
  double d = js::ToNumber(v);
  if (std::isnan(d)) return std::nullopt;
  return d;
}

// Time value of a `days_since` argument: ms since epoch, or an ISO date string.
std::optional<double> TimeValue(const json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) {
    if (auto ms = ParseIsoDate(v.get_ref<const std::string&>())) return static_cast<double>(*ms);
  }
  return NumberOrNull(v);
}

}  // namespace

std::vector<std::string> SplitPath(const std::string& p) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = p.find('.', start);
    out.push_back(p.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

Evaluator::Evaluator(const EvalContext& ctx, const json& data)
    : ctx_(ctx), max_steps_(ctx.options.max_steps), max_bytes_(ctx.options.max_built_bytes) {
  frames_.push_back(Frame{&data, -1});
  if (ctx.budget != nullptr) {
    steps_from_budget_ = ctx.budget->steps < max_steps_;
    if (steps_from_budget_) max_steps_ = std::max<int64_t>(ctx.budget->steps, 0);
    bytes_from_budget_ = ctx.budget->bytes < max_bytes_;
    if (bytes_from_budget_) max_bytes_ = std::max<int64_t>(ctx.budget->bytes, 0);
  }
}

void Evaluator::ChargeBudget() const {
  if (ctx_.budget == nullptr) return;
  ctx_.budget->steps -= std::min(steps_, max_steps_);
  ctx_.budget->bytes -= std::min(built_, max_bytes_);
}

std::string StepLimitMessage(int64_t max_steps) {
  return "the rule did more than " + std::to_string(max_steps) + " steps of work; simplify it or its data";
}

void Evaluator::Step() {
  if (++steps_ > max_steps_) {
    if (steps_from_budget_) throw EvalFailure{ErrorCode::kBudgetExceeded, json(nullptr), kStepBudgetMessage};
    throw EvalFailure{ErrorCode::kEvaluationLimit, json(nullptr), StepLimitMessage(max_steps_)};
  }
}

void Evaluator::Built(const Node& n, int64_t bytes) {
  built_ += bytes;
  if (built_ > max_bytes_) {
    // One constant and one append: this message is in the page module's bytes.
    std::string message = "the rule built more strings and lists than its budget; simplify it. At ";
    message += n.where.empty() ? "/" : n.where;
    throw EvalFailure{ErrorCode::kBudgetExceeded, json(nullptr), std::move(message), n.where.empty() ? "/" : n.where};
  }
}

// A value's bytes as nlohmann holds it: 16 per value, plus string bytes and
// the keys of objects. Walks what a copy walks, so it costs no more than the copy.
void Evaluator::Built(const Node& n, const json& v) {
  if (!v.is_structured()) {  // the common case: no walk, no allocation
    Built(n, 16 + (v.is_string() ? static_cast<int64_t>(v.get_ref<const std::string&>().size()) : 0));
    return;
  }
  int64_t bytes = 0;
  std::vector<const json*> todo{&v};
  while (!todo.empty()) {
    const json* cur = todo.back();
    todo.pop_back();
    bytes += 16;
    if (cur->is_string()) {
      bytes += static_cast<int64_t>(cur->get_ref<const std::string&>().size());
    } else if (cur->is_array()) {
      for (const json& e : *cur) todo.push_back(&e);
    } else if (cur->is_object()) {
      for (const auto& [k, e] : cur->items()) {
        bytes += 32 + static_cast<int64_t>(k.size());
        todo.push_back(&e);
      }
    }
  }
  Built(n, bytes);
}

void Evaluator::Steps(int64_t n) {
  if (n > max_steps_ - steps_) {
    steps_ = max_steps_;
    Step();  // throws the limit, with its message
  }
  steps_ += n;
}

Val Evaluator::EvalWith(const Node& n, const json& data) {
  FrameGuard<FrameStack> guard(&frames_, Frame{&data, -1});
  return Eval(n);
}

Val Evaluator::Arithmetic(double result, bool division_by_zero) {
  if (strict_ > 0 && (std::isnan(result) || division_by_zero)) {
    throw EvalFailure{ErrorCode::kThrown, ObjectWith("type", "NaN"), ""};
  }
  return Val(js::MakeNumber(result));
}

[[gnu::noinline]] Val Evaluator::EvalSpread(const Node& n) {
  Val list = Eval(n.args[0]);
  Node expanded;
  expanded.op = n.op;
  auto add = [&](const json& v) {
    Node lit;
    lit.literal = v;
    expanded.args.push_back(std::move(lit));
  };
  if (list.get().is_array()) {
    for (const json& v : list.get()) add(v);
  } else {
    add(list.get());
  }
  return Val(Eval(expanded).take());
}

Val Evaluator::Eval(const Node& n) {
  if (trace_ != nullptr) return EvalTraced(n);
  return EvalNode(n);
}

Val Evaluator::EvalTraced(const Node& n) {
  json node = json::object();
  node["op"] = n.op == Op::kLiteral ? std::string("literal") : std::string(n.name);
  node["path"] = n.where;
  node["args"] = json::array();
  json* saved_trace = trace_;
  json* saved_node = trace_node_;
  trace_->push_back(std::move(node));
  json& mine = trace_->back();
  trace_ = &mine["args"];
  trace_node_ = &mine;
  struct Restore {
    Evaluator* self;
    json* trace;
    json* node;
    ~Restore() {
      self->trace_ = trace;
      self->trace_node_ = node;
    }
  } restore{this, saved_trace, saved_node};
  Val v = EvalNode(n);
  mine["value"] = v.get();
  if (mine["args"].empty()) mine.erase("args");
  return v;
}

Val Evaluator::EvalNode(const Node& n) {
  Step();
  if (n.args_spread) return EvalSpread(n);
  const auto argc = n.args.size();
  auto arg = [&](size_t i) -> Val { return i < argc ? Eval(n.args[i]) : Val(); };
  switch (n.op) {
    case Op::kLiteral:
      return Val::Ref(n.literal);
    case Op::kVar:
      return EvalVar(n);
    case Op::kIf: {
      size_t i = 0;
      for (; i + 1 < argc; i += 2) {
        if (js::Truthy(Eval(n.args[i]).get())) return Eval(n.args[i + 1]);
      }
      if (argc == i + 1) return Eval(n.args[i]);
      return Val();
    }
    case Op::kAnd:
    case Op::kOr: {
      Val current;
      for (const Node& a : n.args) {
        current = Eval(a);
        bool t = js::Truthy(current.get());
        if ((n.op == Op::kAnd) != t) return current;
      }
      return current;
    }
    case Op::kNot:
      return Val(json(argc == 0 || !js::Truthy(Eval(n.args[0]).get())));
    case Op::kNotNot:
      return Val(json(argc > 0 && js::Truthy(Eval(n.args[0]).get())));
    case Op::kEq:
    case Op::kNe:
    case Op::kStrictEq:
    case Op::kStrictNe: {
      bool result;
      if (argc < 2) {
        // Comparing with JS `undefined`: only null is loosely equal to it.
        Val a = arg(0);
        bool loose = n.op == Op::kEq || n.op == Op::kNe;
        result = loose && argc == 1 && a.get().is_null();
        if (argc == 0) result = true;  // undefined == undefined
      } else {
        Val a = Eval(n.args[0]);
        Val b = Eval(n.args[1]);
        bool same = a.ref() != nullptr && a.ref() == b.ref();
        result = (n.op == Op::kEq || n.op == Op::kNe) ? js::LooseEquals(a.get(), b.get(), same)
                                                      : js::StrictEquals(a.get(), b.get(), same);
        // Arguments past the second are ignored (json-logic-js) and not evaluated.
      }
      if (n.op == Op::kNe || n.op == Op::kStrictNe) result = !result;
      return Val(json(result));
    }
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      if (argc < 2) {
        for (const Node& a : n.args) Eval(a);
        return Val(json(false));  // x < undefined is false
      }
      Val a = Eval(n.args[0]);
      Val b = Eval(n.args[1]);
      bool r;
      switch (n.op) {
        case Op::kLt: r = js::LessThan(a.get(), b.get()); break;
        case Op::kLe: r = js::LessOrEqual(a.get(), b.get()); break;
        case Op::kGt: r = js::LessThan(b.get(), a.get()); break;
        default: r = js::LessOrEqual(b.get(), a.get()); break;
      }
      if (r && argc >= 3 && (n.op == Op::kLt || n.op == Op::kLe)) {  // lazy: a false pair decides
        Val c = Eval(n.args[2]);
        r = r && (n.op == Op::kLt ? js::LessThan(b.get(), c.get()) : js::LessOrEqual(b.get(), c.get()));
      }
      return Val(json(r));
    }
    case Op::kAdd: {
      double sum = 0;
      for (const Node& a : n.args) sum += js::ParseFloat(Eval(a).get());
      return Arithmetic(sum);
    }
    case Op::kMul: {
      if (argc == 0) return Val(json(1));
      if (argc == 1) return Eval(n.args[0]);  // json-logic-js: reduce() returns a lone argument as is
      // json-logic-js: reduce((a, b) => parseFloat(a) * parseFloat(b)). From the
      // second step on `a` is the running product, a number, and parseFloat of
      // the number -0 is 0 (String(-0) is "0"; the string "-0" stays -0).
      double p = js::ParseFloat(Eval(n.args[0]).get());
      for (size_t i = 1; i < argc; ++i) p = (i > 1 && p == 0 ? 0.0 : p) * js::ParseFloat(Eval(n.args[i]).get());
      return Arithmetic(p);
    }
    case Op::kSub: {
      if (argc == 0) return Arithmetic(kNaN);
      double a = js::ToNumber(Eval(n.args[0]).get());
      if (argc == 1) return Arithmetic(-a);
      double b = js::ToNumber(Eval(n.args[1]).get());
      return Arithmetic(a - b);
    }
    case Op::kDiv:
    case Op::kMod: {
      double a = argc > 0 ? js::ToNumber(Eval(n.args[0]).get()) : kNaN;
      double b = argc > 1 ? js::ToNumber(Eval(n.args[1]).get()) : kNaN;
      return Arithmetic(n.op == Op::kDiv ? a / b : std::fmod(a, b), b == 0);
    }
    case Op::kIn: {
      Val a = arg(0);
      Val b = arg(1);
      const json& hay = b.get();
      if (hay.is_string()) {
        const std::string& h = hay.get_ref<const std::string&>();
        if (h.empty()) return Val(json(false));
        if (a.get().is_string()) return Val(json(js::Contains(h, a.get().get_ref<const std::string&>())));
        return Val(json(js::Contains(h, js::ToString(a.get()))));
      }
      if (hay.is_array()) {
        for (const json& e : hay) {
          if (js::StrictEquals(e, a.get(), &e == a.ref())) return Val(json(true));
        }
      }
      return Val(json(false));
    }
    case Op::kNow:
      return Val(json(ctx_.now));
    case Op::kDaysSince:
    case Op::kHoursSince: {
      auto ts = TimeValue(arg(0).get());
      if (!ts) return Val();
      double unit = n.op == Op::kDaysSince ? kMsPerDay : kMsPerHour;
      return Val(js::MakeNumber((static_cast<double>(ctx_.now) - *ts) / unit));
    }
    case Op::kEvents:
      return EvalEvents(n);
    case Op::kTag:
      return Val(json(ctx_.tags != nullptr && ctx_.tags->HasTag(n.tag_id)));
    case Op::kTagValue:
      return ctx_.tags != nullptr ? Val(ctx_.tags->TagValue(n.tag_id)) : Val();
    default:
      return EvalOther(n);
  }
}

// missing / missing_some (JsonLogic): out of EvalOther, like the other large cases.
[[gnu::noinline]] Val Evaluator::EvalMissing(const Node& n) {
  const auto argc = n.args.size();
  std::vector<Val> vals;
  for (const Node& a : n.args) vals.push_back(Eval(a));
  json keys = json::array();
  size_t need = 0;
  if (n.op == Op::kMissing) {
    if (!vals.empty() && vals[0].get().is_array()) keys = vals[0].get();
    else for (const Val& v : vals) keys.push_back(v.get());
  } else {
    double d = argc > 0 ? js::ToNumber(vals[0].get()) : 0;
    // Clamped before the cast (casting 7.7e109 to size_t is undefined;
    // found by fuzz/rule_json_fuzzer). 2^31 fits a 32-bit size_t (wasm32)
    // and no list has that many keys, so the answer is the same.
    need = std::isnan(d) || d < 0 ? 0 : static_cast<size_t>(std::min(d, kMaxCountCast));
    if (argc > 1) {
      keys = vals[1].get();
      if (!keys.is_array()) {  // one key: [key]
        json one = json::array();
        one.push_back(std::move(keys));
        keys = std::move(one);
      }
    }
  }
  json missing = json::array();
  const json& data = *frames_.back().data;
  for (const json& key : keys) {
    Node probe;
    probe.op = Op::kVar;
    probe.static_path = true;
    if (key.is_null() || (key.is_string() && key.get_ref<const std::string&>().empty())) {
      probe.whole_data = true;
    } else {
      probe.path = SplitPath(js::ToString(key));
    }
    FrameGuard<FrameStack> guard(&frames_, Frame{&data, frames_.back().index});
    Val v = EvalVar(probe);
    const json& got = v.get();
    if (got.is_null() || (got.is_string() && got.get_ref<const std::string&>().empty())) missing.push_back(key);
  }
  if (n.op == Op::kMissingSome && keys.size() - missing.size() >= need) return Val(json::array());
  return Val(std::move(missing));
}

// try: the first alternative that does not throw; limits are not catchable.
[[gnu::noinline]] Val Evaluator::EvalTry(const Node& n) {
  const auto argc = n.args.size();
  EvalFailure last{ErrorCode::kThrown, ObjectWith("type", "try without arguments"), ""};
  ++strict_;
  struct StrictExit {
    int* depth;
    ~StrictExit() { --*depth; }
  } strict_exit{&strict_};
  for (size_t i = 0; i < argc; ++i) {
    try {
      if (i == 0) return Val(Eval(n.args[i]).take());
      // Later alternatives see the previous error as their data ({"type": ...}).
      scratch_.push_back(last.value);
      FrameGuard<FrameStack> guard(&frames_, Frame{&scratch_.back(), -1});
      return Val(Eval(n.args[i]).take());
    } catch (EvalFailure& f) {
      if (f.code == ErrorCode::kEvaluationLimit || f.code == ErrorCode::kBudgetExceeded) throw;  // limits are not catchable
      last = std::move(f);
    }
  }
  throw last;
}

// The operators rules use less often, apart from EvalNode: a function V8's
// optimizing tier compiles only once it is hot itself, and a smaller EvalNode
// (the one every node goes through) to compile and to run in the baseline
// tier (a page's first calls), whose stack frame holds every local of every
// case.
[[gnu::noinline]] Val Evaluator::EvalOther(const Node& n) {
  const auto argc = n.args.size();
  auto arg = [&](size_t i) -> Val { return i < argc ? Eval(n.args[i]) : Val(); };
  switch (n.op) {
    case Op::kArray: {
      json out = json::array();
      for (const Node& a : n.args) out.push_back(Eval(a).take());
      return Val(std::move(out));
    }
    case Op::kVal:
      return EvalScopedPath(n, false);
    case Op::kExists:
      return EvalScopedPath(n, true);
    case Op::kMissing:
    case Op::kMissingSome:
      return EvalMissing(n);
    case Op::kCoalesce: {
      for (const Node& a : n.args) {
        Val v = Eval(a);
        if (!v.get().is_null()) return v;
      }
      return Val();
    }
    case Op::kMin:
    case Op::kMax: {
      bool is_min = n.op == Op::kMin;
      double r = is_min ? kInf : -kInf;
      bool nan = false;
      for (const Node& a : n.args) {
        double d = js::ToNumber(Eval(a).get());
        if (std::isnan(d)) nan = true;
        // Math.min/Math.max rank -0 below +0; std::min/max keep the first of equals.
        else if (d == r) r = (is_min == std::signbit(d)) ? d : r;
        else r = is_min ? std::min(r, d) : std::max(r, d);
      }
      return Arithmetic(nan ? kNaN : r);
    }
    case Op::kCat: {
      std::string out;
      CatArgs(n, 0, &out);
      Built(n, static_cast<int64_t>(out.size()) + 16);
      return Val(json(std::move(out)));
    }
    case Op::kSubstr: {
      std::string s = argc > 0 ? js::ToString(Eval(n.args[0]).get()) : std::string("undefined");
      double start = argc > 1 ? js::ToNumber(Eval(n.args[1]).get()) : kNaN;
      if (argc > 2) {
        Val end = Eval(n.args[2]);
        double len = js::ToNumber(end.get());
        if (js::LessThan(end.get(), json(0))) {
          // Negative length drops characters from the end (PHP-style, as json-logic-js).
          std::string temp = js::Substr(s, start, 0, false);
          return Val(json(js::Substr(temp, 0, static_cast<double>(js::Utf16Length(temp)) + len, true)));
        }
        return Val(json(js::Substr(s, start, len, true)));
      }
      return Val(json(js::Substr(s, start, 0, false)));
    }
    case Op::kMerge: {
      json out = json::array();
      MergeArgs(n, 0, &out);
      Built(n, static_cast<int64_t>(out.size()) * 16);
      return Val(std::move(out));
    }
    case Op::kMap:
    case Op::kFilter:
    case Op::kReduce:
    case Op::kAll:
    case Op::kSome:
    case Op::kNone:
      return EvalIteration(n);
    case Op::kTry:
      return EvalTry(n);
    case Op::kThrow: {
      json v = arg(0).get();
      json err = v.is_object() ? v : ObjectWith("type", v);
      throw EvalFailure{ErrorCode::kThrown, std::move(err), ""};
    }
    case Op::kLog:
      return arg(0);
    case Op::kDate: {
      Val v = arg(0);
      if (v.get().is_string()) {
        auto ms = ParseIsoDate(v.get().get_ref<const std::string&>());
        return ms ? Val(json(*ms)) : Val();
      }
      return v.get().is_number() ? v : Val();
    }
    case Op::kBucket: {
      auto x = NumberOrNull(arg(0).get());
      Val t = arg(1);
      if (!x || !t.get().is_array()) return Val();
      int64_t idx = 0;
      for (const json& th : t.get()) {
        if (*x >= js::ToNumber(th)) ++idx;
        else break;
      }
      return Val(json(idx));
    }
    case Op::kLogistic: {
      double z = argc > 0 ? NumberOrNull(Eval(n.args[0]).get()).value_or(0) : 0;
      for (size_t i = 1; i < argc; ++i) {
        Val pair = Eval(n.args[i]);
        const json& p = pair.get();
        if (!p.is_array() || p.size() != 2) continue;
        z += NumberOrNull(p[0]).value_or(0) * NumberOrNull(p[1]).value_or(0);
      }
      return Val(js::MakeNumber(1.0 / (1.0 + std::exp(-z))));
    }
    case Op::kLn:
    case Op::kExp: {
      Val v = arg(0);
      if (v.get().is_null()) return Val();
      double x = js::ToNumber(v.get());
      return Val(js::MakeNumber(n.op == Op::kLn ? std::log(x) : std::exp(x)));
    }
    case Op::kClamp: {
      Val v = arg(0);
      if (v.get().is_null()) return Val();
      double x = js::ToNumber(v.get());
      double lo = js::ToNumber(arg(1).get());
      double hi = js::ToNumber(arg(2).get());
      if (std::isnan(x) || std::isnan(lo) || std::isnan(hi)) return Val(json(kNaN));
      return Val(js::MakeNumber(std::min(std::max(x, lo), hi)));
    }
    case Op::kRound: {
      Val v = arg(0);
      if (v.get().is_null()) return Val();
      double x = js::ToNumber(v.get());
      double digits = argc > 1 ? js::ToNumber(Eval(n.args[1]).get()) : 0;
      if (std::isnan(digits)) digits = 0;
      digits = std::max(-15.0, std::min(15.0, std::trunc(digits)));
      // 10^digits as the literal it is (exact for digits >= 0, the nearest
      // double below), without pow in the page module.
      static constexpr double kPow10[] = {1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5,
                                          1e-4,  1e-3,  1e-2,  1e-1,  1e0,   1e1,   1e2,  1e3,  1e4,  1e5,  1e6,
                                          1e7,   1e8,   1e9,   1e10,  1e11,  1e12,  1e13, 1e14, 1e15};
      double f = kPow10[static_cast<int>(digits) + 15];
      // Half away from zero on the decimal value ("2.5" -> 3, "-2.5" -> -3).
      double r = std::round(x * f) / f;
      return Val(js::MakeNumber(r));
    }
    case Op::kCondAnd: case Op::kCondOr: case Op::kCondNor: case Op::kCondNot: case Op::kCondPath:
    case Op::kCondMatchString: case Op::kCondMatchStringI: case Op::kCondMatchNumber:
    case Op::kCondMatchBool: case Op::kCondMatchNull: case Op::kCondMatchJson:
    case Op::kCondEq: case Op::kCondNe: case Op::kCondLt: case Op::kCondLe: case Op::kCondGt: case Op::kCondGe:
    case Op::kCondExists: case Op::kCondIn: case Op::kCondNin: case Op::kCondAll: case Op::kCondElemMatch:
    case Op::kCondSize: case Op::kCondRegex: case Op::kCondType:
    case Op::kCondVEq: case Op::kCondVNe: case Op::kCondVGt: case Op::kCondVGe: case Op::kCondVLt: case Op::kCondVLe:
      return Val(json(CondHolds(n, *frames_.back().data)));
    default:
      break;
  }
  return Val();
}

// MongoDB-style conditions, exactly as GrowthBook's mongrule.ts evaluates
// them. `v` is the current scope: the object a condition reads attributes
// from, or the value an operator tests (both are GrowthBook's `actual`).
[[gnu::noinline]] bool Evaluator::CondHolds(const Node& n, const json& v) {
  static const json kNull;
  auto holds = [&](const Node& child) {
    Val r = Eval(child);
    return r.get().is_boolean() && r.get().get<bool>();
  };
  auto holds_on = [&](const Node& child, const json& scope) {
    FrameGuard<FrameStack> guard(&frames_, Frame{&scope, -1});
    return holds(child);
  };
  switch (n.op) {
    case Op::kCondAnd:
      for (const Node& a : n.args) {
        if (!holds(a)) return false;
      }
      return true;
    case Op::kCondOr:  // evalOr: an empty list holds
      for (const Node& a : n.args) {
        if (holds(a)) return true;
      }
      return n.args.empty();
    case Op::kCondNor:
      for (const Node& a : n.args) {
        if (holds(a)) return false;
      }
      return !n.args.empty();
    case Op::kCondNot:
      return !holds(n.args[0]);
    case Op::kCondPath: {
      // getPath: `part in current` for objects and arrays (indices and
      // "length"); anything else, or a missing part, gives null.
      const json* cur = &v;
      for (const std::string& seg : n.cond->path) {
        if (cur->is_object()) {
          auto it = cur->find(seg);
          cur = it == cur->end() ? &kNull : &*it;
        } else if (cur->is_array()) {
          size_t idx;
          if (CanonicalIndex(seg, &idx) && idx < cur->size()) {
            cur = &(*cur)[idx];
          } else if (seg == "length") {
            scratch_.push_back(json(cur->size()));
            cur = &scratch_.back();
          } else {
            cur = &kNull;
          }
        } else {
          cur = &kNull;
        }
        if (cur->is_null()) break;
      }
      return holds_on(n.args[0], *cur);
    }
    case Op::kCondMatchString:
      if (v.is_string()) return v.get_ref<const std::string&>() == n.literal.get_ref<const std::string&>();
      return js::ToString(v) == n.literal.get_ref<const std::string&>();
    case Op::kCondMatchStringI:
      return cond::JsToLowerCase(js::ToString(v)) == n.literal.get_ref<const std::string&>();
    case Op::kCondMatchNumber:
      return js::ToNumber(v) == n.literal.get<double>();
    case Op::kCondMatchBool:
      return !v.is_null() && cond::JsTruthy(v) == n.literal.get<bool>();
    case Op::kCondMatchNull:
      return v.is_null();
    case Op::kCondMatchJson:
      return cond::JsonTextEquals(v, n.literal);
    case Op::kCondEq:
      return js::StrictEquals(v, n.literal, false);
    case Op::kCondNe:
      return !js::StrictEquals(v, n.literal, false);
    case Op::kCondLt:
      return js::LessThan(v, n.literal);
    case Op::kCondLe:
      return js::LessOrEqual(v, n.literal);
    case Op::kCondGt:
      return js::LessThan(n.literal, v);
    case Op::kCondGe:
      return js::LessOrEqual(n.literal, v);
    case Op::kCondExists:
      return n.literal.get<bool>() ? !v.is_null() : v.is_null();
    case Op::kCondIn:
    case Op::kCondNin: {
      bool found = false;
      if (v.is_array()) {  // an array attribute matches when the two intersect
        for (const json& e : v) {
          Step();
          if (cond::SetContains(*n.cond, e)) {
            found = true;
            break;
          }
        }
      } else {
        found = cond::SetContains(*n.cond, v);
      }
      return n.op == Op::kCondIn ? found : !found;
    }
    case Op::kCondAll:  // isInAll: every argument holds for some element
      if (!v.is_array()) return false;
      for (const Node& a : n.args) {
        bool some = false;
        for (const json& e : v) {
          if (holds_on(a, e)) {
            some = true;
            break;
          }
        }
        if (!some) return false;
      }
      return true;
    case Op::kCondElemMatch:
      if (!v.is_array()) return false;
      for (const json& e : v) {
        if (!e.is_null() && holds_on(n.args[0], e)) return true;
      }
      return false;
    case Op::kCondSize:
      if (!v.is_array()) return false;
      scratch_.push_back(json(v.size()));
      return holds_on(n.args[0], scratch_.back());
    case Op::kCondRegex: {
      // The search spends the steps left; past them it is the step limit.
      int64_t budget = max_steps_ - steps_;
      const int64_t before = budget;
      const bool found = v.is_string() ? n.cond->regex->Search(v.get_ref<const std::string&>(), &budget)
                                       : n.cond->regex->Search(js::ToString(v), &budget);  // RegExp.test(String(value))
      Steps(before - budget);  // throws evaluation_limit when the budget ran out
      return found;
    }
    case Op::kCondType:
      return cond::TypeName(v) == n.literal.get_ref<const std::string&>();
    case Op::kCondVEq:
    case Op::kCondVNe:
    case Op::kCondVGt:
    case Op::kCondVGe:
    case Op::kCondVLt:
    case Op::kCondVLe: {
      const json a(cond::PaddedVersionString(v));
      const json b(n.cond->version);
      switch (n.op) {
        case Op::kCondVEq: return a == b;
        case Op::kCondVNe: return a != b;
        case Op::kCondVGt: return js::LessThan(b, a);
        case Op::kCondVGe: return !js::LessThan(a, b);
        case Op::kCondVLt: return js::LessThan(a, b);
        default: return !js::LessThan(b, a);
      }
    }
    default:
      return false;
  }
}

Val Evaluator::EvalVar(const Node& n) {
  const json& data = *frames_.back().data;
  std::vector<std::string> dynamic_path;
  const std::vector<std::string>* path = &n.path;
  bool whole = n.whole_data;
  if (!n.static_path) {
    Val p = Eval(n.args[0]);
    const json& pv = p.get();
    if (pv.is_null() || (pv.is_string() && pv.get_ref<const std::string&>().empty())) {
      whole = true;
    } else {
      dynamic_path = SplitPath(js::ToString(pv));
      path = &dynamic_path;
    }
  }
  if (whole) return Val::Ref(data);
  auto not_found = [&]() -> Val { return n.args.size() >= 2 ? Eval(n.args[1]) : Val(); };
  const json* cur = &data;
  for (const std::string& seg : *path) {
    if (cur->is_null()) return not_found();
    if (cur->is_object()) {
      auto it = cur->find(seg);
      if (it == cur->end()) return not_found();
      cur = &*it;
    } else if (cur->is_array()) {
      size_t idx;
      if (CanonicalIndex(seg, &idx)) {
        if (idx >= cur->size()) return not_found();
        cur = &(*cur)[idx];
      } else if (seg == "length") {
        scratch_.push_back(json(cur->size()));
        cur = &scratch_.back();
      } else {
        return not_found();
      }
    } else if (cur->is_string()) {
      const std::string& s = cur->get_ref<const std::string&>();
      size_t idx;
      if (CanonicalIndex(seg, &idx) && idx < js::Utf16Length(s)) {
        scratch_.push_back(json(js::Substr(s, static_cast<double>(idx), 1, true)));
      } else if (seg == "length") {
        scratch_.push_back(json(js::Utf16Length(s)));
      } else {
        return not_found();
      }
      cur = &scratch_.back();
    } else {
      return not_found();
    }
  }
  return Val::Ref(*cur);
}

[[gnu::noinline]] Val Evaluator::EvalScopedPath(const Node& n, bool exists_only) {
  std::vector<Val> segs;
  segs.reserve(n.args.size());
  for (const Node& a : n.args) segs.push_back(Eval(a));
  const json* cur = frames_.back().data;
  size_t first = 0;
  if (!segs.empty() && segs[0].get().is_array()) {
    const json& climb = segs[0].get();
    double levels = climb.empty() ? 0 : std::fabs(js::ToNumber(climb[0]));
    if (std::isnan(levels)) levels = 0;
    // Going up: each iteration frame is an item plus a {"index": i} context.
    size_t want = static_cast<size_t>(std::min(levels, kMaxCountCast));  // a cast of 1e300 is undefined
    size_t level = 0;
    const json* found = frames_.front().data;
    for (size_t k = frames_.size(); k-- > 0;) {
      if (level == want) { found = frames_[k].data; break; }
      ++level;
      if (frames_[k].index >= 0) {
        if (level == want) {
          scratch_.push_back(ObjectWith("index", frames_[k].index));
          found = &scratch_.back();
          break;
        }
        ++level;
      }
    }
    cur = found;
    first = 1;
  }
  for (size_t i = first; i < segs.size(); ++i) {
    const json& seg = segs[i].get();
    if (cur->is_object()) {
      auto it = cur->find(js::ToString(seg));
      if (it == cur->end()) return exists_only ? Val(json(false)) : Val();
      cur = &*it;
    } else if (cur->is_array()) {
      size_t idx;
      bool ok = false;
      if (seg.is_number()) {
        double d = seg.get<double>();
        ok = d >= 0 && d == std::trunc(d) && d < static_cast<double>(cur->size());
        idx = ok ? static_cast<size_t>(d) : 0;
      } else {
        ok = CanonicalIndex(js::ToString(seg), &idx) && idx < cur->size();
      }
      if (!ok) return exists_only ? Val(json(false)) : Val();
      cur = &(*cur)[idx];
    } else {
      return exists_only ? Val(json(false)) : Val();
    }
  }
  if (exists_only) return Val(json(true));
  return Val::Ref(*cur);
}

// A `reduce` body that extends the accumulator: {"cat": [{"var":
// "accumulator"}, ...]} or {"merge": [{"var": "accumulator"}, ...]}.
bool Evaluator::AppendsToAccumulator(const Node& body) {
  if ((body.op != Op::kCat && body.op != Op::kMerge) || body.args_spread || body.args.empty()) return false;
  const Node& first = body.args[0];
  // The item always has the key, so a default is never read.
  return first.op == Op::kVar && first.static_path && !first.whole_data && first.path.size() == 1 &&
         first.path[0] == "accumulator";
}

// Evaluates such a body by appending to the accumulator where it lies (in the
// item), as the generic path would compute it but without copying what is
// already there: building a string or a list over n items is linear, not
// quadratic (1e5 items of `cat` took a minute). Returns false, having done
// nothing, when the accumulator is not a string (cat) or a list (merge).
bool Evaluator::AppendInPlace(const Node& body, json* acc) {
  const bool cat = body.op == Op::kCat;
  if (cat ? !acc->is_string() : !acc->is_array()) return false;
  Step();  // the cat / merge node
  Step();  // its {"var": "accumulator"}
  // The other arguments are evaluated before the value grows: they may read
  // the accumulator and must see it as it was.
  if (cat) {
    std::string tail;
    CatArgs(body, 1, &tail);
    Built(body, static_cast<int64_t>(tail.size()));
    acc->get_ref<std::string&>() += tail;
    return true;
  }
  json more = json::array();
  MergeArgs(body, 1, &more);
  Built(body, static_cast<int64_t>(more.size()) * 16);
  for (json& e : more) acc->push_back(std::move(e));
  return true;
}

void Evaluator::CatArgs(const Node& n, size_t first, std::string* out) {
  for (size_t k = first; k < n.args.size(); ++k) {
    Val v = Eval(n.args[k]);
    if (!v.get().is_null()) js::AppendString(v.get(), out);  // join() prints null as ""
  }
}

void Evaluator::MergeArgs(const Node& n, size_t first, json* out) {
  for (size_t k = first; k < n.args.size(); ++k) {
    Val v = Eval(n.args[k]);
    if (v.get().is_array()) {
      Built(n, v.get());  // its elements are copied
      for (const json& e : v.get()) out->push_back(e);
    } else {
      out->push_back(std::move(v).take());
    }
  }
}

[[gnu::noinline]] Val Evaluator::EvalIteration(const Node& n) {
  Val source = n.args.empty() ? Val() : Eval(n.args[0]);
  const json& arr = source.get();
  static const Node kNullBody;  // no body: JsonLogic applies `undefined`
  const Node& body = n.args.size() > 1 ? n.args[1] : kNullBody;
  switch (n.op) {
    case Op::kMap: {
      json out = json::array();
      if (!arr.is_array()) return Val(std::move(out));
      for (size_t i = 0; i < arr.size(); ++i) {
        FrameGuard<FrameStack> g(&frames_, Frame{&arr[i], static_cast<int64_t>(i)});
        out.push_back(Eval(body).take());
        Built(n, out.back());  // a borrowed value (a `var` of the item) is a copy
      }
      return Val(std::move(out));
    }
    case Op::kFilter: {
      json out = json::array();
      if (!arr.is_array()) return Val(std::move(out));
      for (size_t i = 0; i < arr.size(); ++i) {
        FrameGuard<FrameStack> g(&frames_, Frame{&arr[i], static_cast<int64_t>(i)});
        if (js::Truthy(Eval(body).get())) {
          Built(n, arr[i]);
          out.push_back(arr[i]);
        }
      }
      return Val(std::move(out));
    }
    case Op::kReduce: {
      json acc = n.args.size() > 2 ? Eval(n.args[2]).take() : json(nullptr);
      if (!arr.is_array()) return Val(std::move(acc));
      const bool appends = trace_ == nullptr && AppendsToAccumulator(body);
      for (size_t i = 0; i < arr.size(); ++i) {
        Built(n, arr[i]);  // copied into the item
        json item = ObjectWith("current", arr[i]);
        item["accumulator"] = std::move(acc);
        FrameGuard<FrameStack> g(&frames_, Frame{&item, static_cast<int64_t>(i)});
        if (appends && AppendInPlace(body, &item["accumulator"])) {
          acc = std::move(item["accumulator"]);
        } else {
          acc = Eval(body).take();
        }
      }
      return Val(std::move(acc));
    }
    default: {  // all / some / none
      bool empty = !arr.is_array() || arr.empty();
      if (empty) return Val(json(n.op == Op::kNone));
      for (size_t i = 0; i < arr.size(); ++i) {
        FrameGuard<FrameStack> g(&frames_, Frame{&arr[i], static_cast<int64_t>(i)});
        bool t = js::Truthy(Eval(body).get());
        if (n.op == Op::kAll && !t) return Val(json(false));
        if (n.op == Op::kSome && t) return Val(json(true));
        if (n.op == Op::kNone && t) return Val(json(false));
      }
      return Val(json(n.op != Op::kSome));
    }
  }
}

Result<json> Rule::Trace(const json& data, const EvalContext& ctx) const {
  json root = json::array();
  try {
    Evaluator ev(ctx, data);
    ev.EnableTrace(&root);
    (void)ev.Eval(*root_);
  } catch (const EvalFailure& f) {
    if (!root.empty()) root[0]["error"] = f.code == ErrorCode::kThrown ? f.value : json(f.message);
  } catch (const std::exception& e) {
    return Error{ErrorCode::kTooLarge, "", std::string("explanation ran out of memory: ") + e.what()};
  }
  return root.empty() ? json(nullptr) : std::move(root[0]);
}

Result<json> Rule::Evaluate(const json& data, const EvalContext& ctx) const {
  try {
    Evaluator ev(ctx, data);
    struct Charge {  // on every way out: unwinding runs it before a handler
      const Evaluator& ev;
      ~Charge() { ev.ChargeBudget(); }
    } charge{ev};
    return std::move(ev.Eval(*root_)).take();
  } catch (const EvalFailure& f) {
    if (f.code == ErrorCode::kThrown) return Error{f.code, "", f.value.dump(-1, ' ', false, json::error_handler_t::replace)};
    return Error{f.code, f.path, f.message};
  } catch (const std::bad_alloc&) {  // the heap could not grow: a value, not an abort
    return Error{ErrorCode::kOutOfMemory, "", "evaluation ran out of memory"};
  } catch (const std::exception& e) {  // std::length_error on absurd data
    return Error{ErrorCode::kTooLarge, "", std::string("evaluation ran out of memory: ") + e.what()};
  }
}

std::optional<json> EvaluateConstant(const Node& n) {
  try {
    static const json kNullData;
    EvalContext ctx;
    Evaluator ev(ctx, kNullData);
    return ev.Eval(n).take();
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace tagwise
