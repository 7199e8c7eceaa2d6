// Rule JSON -> Plan. Every problem is collected (not just the first), each with
// a JSON Pointer into the rule, so an operator can fix them all in one pass.
#include <algorithm>
#include <set>
#include <string>

#include "rules/evaluator.h"
#include "common/js_value.h"
#include "common/suggestions.h"
#include "rules/operators.h"
#include "rules/plan.h"
#include "tagwise/json_text.h"
#include "tagwise/limits.h"
#include "tagwise/rule.h"

namespace tagwise {

using nlohmann::json;

Rule::Rule() = default;
Rule::~Rule() = default;

class Compiler {
 public:
  explicit Compiler(const CompileOptions& options) : options_(options) {}

  CompileResult Compile(const json& rule) {
    auto out = std::shared_ptr<Rule>(new Rule());
    out->root_ = std::make_unique<Node>(CompileNode(rule, "", 0));
    CompileResult result;
    result.issues = std::move(issues_);
    bool has_error = std::any_of(result.issues.begin(), result.issues.end(),
                                 [](const Error& e) { return e.severity == Severity::kError; });
    if (has_error) return result;
    out->source_ = rule;
    out->referenced_tags_.assign(tags_.begin(), tags_.end());
    out->event_types_.assign(event_types_.begin(), event_types_.end());
    out->vars_.assign(vars_.begin(), vars_.end());
    result.rule = std::move(out);
    return result;
  }

 private:
  void Issue(ErrorCode code, const std::string& path, std::string message,
             Severity severity = Severity::kError) {
    if (issues_.size() >= 100) return;  // enough to act on; keeps huge bad rules cheap
    issues_.push_back(Error{code, path, std::move(message), severity});
  }

  // True when the node's value depends on the current scope's data only:
  // the same event gives the same verdict at any time, for any tags.
  static bool ReadsOnlyTheEvent(const Node& n) {
    switch (n.op) {
      case Op::kVal:  // may climb to outer scopes
      case Op::kNow: case Op::kDaysSince: case Op::kHoursSince:
      case Op::kEvents: case Op::kTag: case Op::kTagValue:
      case Op::kTry: case Op::kThrow: case Op::kLog:
        return false;
      default:
        break;
    }
    if (n.events != nullptr) return false;
    return std::all_of(n.args.begin(), n.args.end(), [](const Node& a) { return ReadsOnlyTheEvent(a); });
  }

#ifndef TAGWISE_SMALL_CORE
  // Whether a `where` rule's verdict is a function of the value at one prop
  // path: every read is a `var` of that static path, and nothing reads by a
  // computed name or changes the scope (map/filter/reduce/all/some/none).
  static bool ReadsOnePath(const Node& n, const std::vector<std::string>** path) {
    switch (n.op) {
      case Op::kVar:
        if (!n.static_path || n.whole_data || n.path.empty()) return false;
        if (*path == nullptr) *path = &n.path;
        if (**path != n.path) return false;
        break;
      case Op::kVal: case Op::kExists: case Op::kMissing: case Op::kMissingSome:
      case Op::kMap: case Op::kFilter: case Op::kReduce: case Op::kAll: case Op::kSome: case Op::kNone:
        return false;
      default:
        if (n.op >= Op::kCondAnd) return false;
        break;
    }
    return std::all_of(n.args.begin(), n.args.end(), [&](const Node& a) { return ReadsOnePath(a, path); });
  }
#endif

  static Node Literal(json v) {
    Node n;
    n.op = Op::kLiteral;
    n.literal = std::move(v);
    return n;
  }

  bool CheckString(const json& v, const std::string& path) {
    if (v.is_string() && !js::IsValidUtf8(v.get_ref<const std::string&>())) {
      Issue(ErrorCode::kInvalidUtf8, path, "this text is not valid UTF-8");
      return false;
    }
    return true;
  }

  Node CompileNode(const json& j, const std::string& path, int depth) {
    Node n = CompileNodeImpl(j, path, depth);
    n.where = path;
    if (n.op != Op::kLiteral && j.is_object() && j.size() == 1) {
      if (const OperatorInfo* info = FindOperator(j.begin().key())) n.name = info->name;
    } else if (n.op == Op::kArray) {
      n.name = "array";
    }
    return n;
  }

  // The parts of CompileNodeImpl that few nodes take, out of line: V8's
  // baseline tier charges each call's budget by how far into the function it
  // returns, so a smaller CompileNodeImpl (called once per node of every rule)
  // is optimised later and costs the page's second core less when it is.
  [[gnu::noinline]] Node CompileArray(const json& j, const std::string& path, int depth) {
    // Plain data lists (no objects inside) are one literal, however long.
    bool plain = std::none_of(j.begin(), j.end(), [](const json& e) { return e.is_object() || e.is_array(); });
    if (plain) {
      for (size_t i = 0; i < j.size(); ++i) {
        if (j[i].is_string()) CheckString(j[i], JoinPointer(path, std::to_string(i)));
      }
      return Literal(j);
    }
    Node n;
    n.op = Op::kArray;
    bool all_literal = true;
    for (size_t i = 0; i < j.size(); ++i) {
      n.args.push_back(CompileNode(j[i], JoinPointer(path, std::to_string(i)), depth + 1));
      all_literal = all_literal && n.args.back().op == Op::kLiteral;
      if (!issues_.empty() && issues_.back().code == ErrorCode::kTooLarge) break;
    }
    if (all_literal) {
      // The elements' values, not the array as written: an element such as
      // {"+": [1, 2]} was folded to 3 (json-logic-js gives [3]).
      json values = json::array();
      for (Node& arg : n.args) values.push_back(std::move(arg.literal));
      return Literal(std::move(values));
    }
    return n;
  }

  // Not an operator: a scalar, or a data object that passes through (JsonLogic).
  [[gnu::noinline]] Node CompileData(const json& j, const std::string& path) {
    if (j.is_object()) {
      // Still reject invalid UTF-8 inside keys/values.
      for (const auto& [k, v] : j.items()) {
        if (!js::IsValidUtf8(k)) Issue(ErrorCode::kInvalidUtf8, JoinPointer(path, "?"), "a key is not valid UTF-8");
        if (v.is_string()) CheckString(v, JoinPointer(path, k));
      }
    }
    return Literal(j);
  }

  // Community dialect: {"+": {"preserve": [7, 8]}} supplies the argument list
  // itself. Operators whose arguments steer evaluation refuse it.
  [[gnu::noinline]] Node CompilePreserved(const OperatorInfo& info, const std::string& name, const json& list,
                                          const std::string& op_path) {
    if (!AcceptsDynamicArguments(info.op)) {
      Issue(ErrorCode::kWrongArgumentType, op_path,
            "write the arguments of \"" + name + "\" as a list, not as a preserved value");
      return Literal(nullptr);
    }
    Node n;
    n.op = info.op;
    if (list.is_array()) {
      for (const json& v : list) n.args.push_back(Literal(v));
    } else {
      n.args.push_back(Literal(list));
    }
    if (info.pure && in_try_ == 0) return Fold(std::move(n));
    return n;
  }

  // {"tag": [id]} / {"tag_value": [id]}: the id must name a tag of the catalog.
  [[gnu::noinline]] void CompileTagRef(const std::string& name, const json& id, const std::string& path, Node* n) {
    if (!id.is_string() || id.get_ref<const std::string&>().empty()) {
      Issue(ErrorCode::kWrongArgumentType, path, "\"" + name + "\" needs a tag id written as text");
      return;
    }
    n->tag_id = id.get<std::string>();
    if (options_.known_tags != nullptr &&
        std::find(options_.known_tags->begin(), options_.known_tags->end(), n->tag_id) == options_.known_tags->end()) {
      Issue(ErrorCode::kUnknownTag, path, "there is no tag with id \"" + n->tag_id + "\"");
    }
    tags_.insert(n->tag_id);
  }

  // A rule past the size or depth limit: the issue (once for size) and a null.
  [[gnu::noinline]] Node OverLimit(const std::string& path, bool too_many) {
    if (too_many) {
      if (nodes_ == options_.max_nodes + 1) {
        Issue(ErrorCode::kTooLarge, path,
              "the rule has more than " + std::to_string(options_.max_nodes) + " parts; split it into smaller rules");
      }
    } else {
      Issue(ErrorCode::kTooDeep, path,
            "the rule is nested more than " + std::to_string(options_.max_depth) + " levels deep");
    }
    return Literal(nullptr);
  }

  // An operator name that is not valid UTF-8 or not an operator.
  [[gnu::noinline]] Node NotAnOperator(const std::string& name, const std::string& path) {
    if (!js::IsValidUtf8(name)) {
      Issue(ErrorCode::kInvalidUtf8, path, "an operator name is not valid UTF-8");
    } else {
      Issue(ErrorCode::kUnknownOperator, JoinPointer(path, name),
            "unknown operator \"" + name + "\"" + internal::DidYouMean(SuggestOperator(name)));
    }
    return Literal(nullptr);
  }

  // {"date": "2026-11-01"}: the time in ms, or null (with the issue) when the text is not a date.
  [[gnu::noinline]] json DateValue(const json& text, const std::string& path) {
    auto ms = ParseIsoDate(text.get_ref<const std::string&>());
    if (ms) return json(*ms);
    Issue(ErrorCode::kBadDate, path,
          "\"" + text.get<std::string>() + "\" is not a date; write it like 2026-11-01 or 2026-11-01T08:00:00+08:00");
    return nullptr;
  }

  // The shapes `bucket` and `logistic` need from literal arguments.
  [[gnu::noinline]] void CheckShapes(Op op, const json& values, bool single, size_t argc, const std::string& op_path) {
    auto arg_path = [&](size_t i) { return single ? op_path : JoinPointer(op_path, std::to_string(i)); };
    auto arg = [&](size_t i) -> const json& { return single ? values : values[i]; };
    if (op == Op::kBucket) {
      if (argc == 2) CheckThresholds(arg(1), arg_path(1));
      return;
    }
    for (size_t i = 1; i < argc; ++i) {
      if (!arg(i).is_array() || arg(i).size() != 2) {
        Issue(ErrorCode::kWrongArgumentType, arg_path(i),
              "each logistic term is a pair [weight, value], e.g. [0.5, {\"var\": \"visits\"}]");
      }
    }
  }

  // Called once per node of every rule; what few nodes take is out of line
  // (see CompileArray).
  Node CompileNodeImpl(const json& j, const std::string& path, int depth) {
    const bool too_many = ++nodes_ > options_.max_nodes;
    if (too_many || depth > options_.max_depth) return OverLimit(path, too_many);
    if (j.is_array()) return CompileArray(j, path, depth);
    if (j.is_string()) CheckString(j, path);
    if (!j.is_object() || j.size() != 1) return CompileData(j, path);
    const std::string& name = j.begin().key();
    const json& values = j.begin().value();
    const OperatorInfo* info = js::IsValidUtf8(name) ? FindOperator(name) : nullptr;
    if (info == nullptr) return NotAnOperator(name, path);
    std::string op_path = JoinPointer(path, name);
    if (name == "preserve") return Literal(values);
    if (info->op == Op::kTry) ++in_try_;
    struct TryExit {
      int* depth;
      bool active;
      ~TryExit() { if (active) --*depth; }
    } try_exit{&in_try_, info->op == Op::kTry};

    // Community dialect: {"+": {"preserve": [7, 8]}} supplies the argument list
    // itself. Operators whose arguments steer evaluation refuse it.
    if (values.is_object() && values.size() == 1 && values.begin().key() == "preserve") {
      return CompilePreserved(*info, name, values.begin().value(), op_path);
    }

    // JsonLogic: a non-array argument is the single argument ({"var": "a"}).
    const bool single = !values.is_array();
    const size_t argc = single ? 1 : values.size();
    auto arg_path = [&](size_t i) { return single ? op_path : JoinPointer(op_path, std::to_string(i)); };
    auto arg = [&](size_t i) -> const json& { return single ? values : values[i]; };

    CheckArgCount(*info, argc, op_path);

    Node n;
    n.op = info->op;
    switch (info->op) {
      case Op::kVar:
        CompileVar(values, single, op_path, depth, &n);
        return n;
      case Op::kEvents:
        if (argc >= 1) CompileEvents(arg(0), arg_path(0), depth, &n);
        return n;
      case Op::kTag:
      case Op::kTagValue:
        if (argc >= 1) CompileTagRef(name, arg(0), arg_path(0), &n);
        return n;
      case Op::kDate:
        if (argc >= 1 && arg(0).is_string()) return Literal(DateValue(arg(0), arg_path(0)));
        break;
      case Op::kBucket:
      case Op::kLogistic:
        CheckShapes(info->op, values, single, argc, op_path);
        break;
      default:
        break;
    }
    for (size_t i = 0; i < argc; ++i) {
      n.args.push_back(CompileNode(arg(i), arg_path(i), depth + 1));
    }
    // {"max": {"val": "list"}}: a lone `val` argument that yields an array
    // supplies the argument list (community semantics; `var` keeps json-logic-js's).
    if (single && values.is_object() && values.size() == 1 && values.begin().key() == "val" &&
        AcceptsDynamicArguments(info->op)) {
      n.args_spread = true;
    }
    // Inside `try`, arithmetic raises NaN errors at run time, so it must not be folded now.
    if (info->pure && in_try_ == 0 && AllLiteral(n)) return Fold(std::move(n));
    return n;
  }

  static bool AcceptsDynamicArguments(Op op) {
    switch (op) {
      case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kMod:
      case Op::kMin: case Op::kMax: case Op::kCat: case Op::kMerge: case Op::kSubstr:
        return true;
      default:
        return false;
    }
  }

  [[gnu::noinline]] void CheckArgCount(const OperatorInfo& info, size_t argc, const std::string& path) {
    int c = static_cast<int>(argc);
    bool too_few = info.min_args >= 0 && c < info.min_args;
    bool too_many = info.max_args >= 0 && c > info.max_args;
    if (!too_few && !too_many) return;
    std::string want;
    if (info.min_args == info.max_args) {
      want = std::to_string(info.min_args);
    } else if (info.max_args < 0) {
      want = "at least " + std::to_string(info.min_args);
    } else {
      want = std::to_string(info.min_args) + " to " + std::to_string(info.max_args);
    }
    std::string msg = "\"" + std::string(info.name) + "\" takes " + want + " argument" +
                      (want == "1" ? "" : "s") + " but got " + std::to_string(argc);
    // The "now" operator takes no arguments but is written {"now": []}: argc is 0 there.
    Issue(ErrorCode::kWrongArgumentCount, path, msg, info.strict ? Severity::kError : Severity::kWarning);
  }

  static bool AllLiteral(const Node& n) {
    return std::all_of(n.args.begin(), n.args.end(), [](const Node& a) { return a.op == Op::kLiteral; });
  }

  // Constant folding: a pure operator over literals is evaluated once, now.
  [[gnu::noinline]] static Node Fold(Node n) {
    auto value = EvaluateConstant(n);
    if (!value) return n;
    return Literal(std::move(*value));
  }

  [[gnu::noinline]] void CompileVar(const json& values, bool single, const std::string& path, int depth, Node* n) {
    const json empty = json::array();
    const json& args = single ? values : values;
    const json* first = single ? &values : (values.empty() ? nullptr : &values[0]);
    (void)args;
    (void)empty;
    if (first == nullptr || first->is_null() || (first->is_string() && first->get_ref<const std::string&>().empty())) {
      n->static_path = true;
      n->whole_data = true;
    } else if (first->is_string() || first->is_number()) {
      n->static_path = true;
      std::string p = first->is_string() ? first->get<std::string>() : js::ToString(*first);
      CheckString(*first, single ? path : JoinPointer(path, "0"));
      n->path = SplitPath(p);
      vars_.insert(n->path[0]);
    } else {
      n->args.push_back(CompileNode(*first, single ? path : JoinPointer(path, "0"), depth + 1));
    }
    if (!n->static_path && n->args.empty()) n->args.push_back(Literal(nullptr));
    if (!single && values.size() >= 2) {
      if (n->static_path) n->args.push_back(Literal(nullptr));  // placeholder for the path slot
      n->args.push_back(CompileNode(values[1], JoinPointer(path, "1"), depth + 1));
    }
  }

  void CheckThresholds(const json& t, const std::string& path) {
    if (!t.is_array() || t.empty()) {
      Issue(ErrorCode::kWrongArgumentType, path, "bucket thresholds are a list of numbers, e.g. [1, 5, 20]");
      return;
    }
    for (size_t i = 0; i < t.size(); ++i) {
      if (!t[i].is_number()) {
        Issue(ErrorCode::kWrongArgumentType, JoinPointer(path, std::to_string(i)), "a bucket threshold must be a number");
        return;
      }
      if (i > 0 && t[i].get<double>() < t[i - 1].get<double>()) {
        Issue(ErrorCode::kWrongArgumentType, JoinPointer(path, std::to_string(i)),
              "bucket thresholds must be in increasing order");
        return;
      }
    }
  }

  [[gnu::noinline]] void CompileEvents(const json& spec, const std::string& path, int depth, Node* n) {
    n->events = std::make_unique<EventsSpec>();
    EventsSpec& e = *n->events;
    if (spec.is_string()) {  // {"events": "order_paid"} is shorthand for a count of that type
      e.types.push_back(spec.get<std::string>());
      event_types_.insert(e.types.back());
      return;
    }
    if (!spec.is_object()) {
      Issue(ErrorCode::kWrongArgumentType, path,
            "\"events\" takes one object like {\"type\": \"order_paid\", \"within\": \"30d\"}");
      return;
    }
    static constexpr std::string_view kKeys[] = {"type", "within", "where", "agg", "field", "half_life"};
    for (const auto& [key, value] : spec.items()) {
      std::string kpath = JoinPointer(path, key);
      if (key == "type") {
        if (value.is_string()) {
          e.types.push_back(value.get<std::string>());
        } else if (value.is_array() && !value.empty() &&
                   std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
          for (const json& v : value) e.types.push_back(v.get<std::string>());
        } else {
          Issue(ErrorCode::kWrongArgumentType, kpath, "the event type is a name like \"order_paid\" or a list of names");
        }
        for (const auto& t : e.types) event_types_.insert(t);
      } else if (key == "within" || key == "half_life") {
        auto ms = ParseDuration(value);
        if (!ms || *ms <= 0) {
          Issue(ErrorCode::kBadDuration, kpath,
                "\"" + (value.is_string() ? value.get<std::string>() : value.dump()) +
                    "\" is not a duration; write a number with a unit: 90s, 15m, 12h, 30d or 2w");
        } else if (key == "within") {
          e.within_ms = ms;
        } else {
          e.half_life_ms = ms;
        }
      } else if (key == "where") {
        e.where = std::make_unique<Node>(CompileNode(value, kpath, depth + 1));
        if (ReadsOnlyTheEvent(*e.where)) {
          e.where_key = value.dump(-1, ' ', false, json::error_handler_t::replace);
#ifndef TAGWISE_SMALL_CORE
          const std::vector<std::string>* one = nullptr;
          if (ReadsOnePath(*e.where, &one) && one != nullptr) e.where_path = *one;
#endif
        }
      } else if (key == "agg") {
        static constexpr std::pair<std::string_view, Agg> kAggs[] = {
            {"count", Agg::kCount}, {"sum", Agg::kSum}, {"avg", Agg::kAvg}, {"min", Agg::kMin},
            {"max", Agg::kMax}, {"distinct", Agg::kDistinct}, {"first_ts", Agg::kFirstTs},
            {"last_ts", Agg::kLastTs}, {"exists", Agg::kExists}};
        bool found = false;
        if (value.is_string()) {
          for (const auto& [nm, a] : kAggs) {
            if (value.get_ref<const std::string&>() == nm) {
              e.agg = a;
              found = true;
            }
          }
        }
        if (!found) {
          Issue(ErrorCode::kWrongArgumentType, kpath,
                "\"agg\" is one of count, sum, avg, min, max, distinct, first_ts, last_ts, exists");
        }
      } else if (key == "field") {
        if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
          Issue(ErrorCode::kWrongArgumentType, kpath, "\"field\" names an event property, e.g. \"amount\"");
        } else {
          e.field = SplitPath(value.get<std::string>());
        }
      } else {
        Issue(ErrorCode::kInvalidRule, kpath,
              "\"events\" has no option \"" + key + "\"" + internal::DidYouMean(internal::PrefixMatch(key, kKeys)) +
                  " (options: type, within, where, agg, field, half_life)");
      }
    }
    bool needs_field = e.agg == Agg::kSum || e.agg == Agg::kAvg || e.agg == Agg::kMin || e.agg == Agg::kMax ||
                       e.agg == Agg::kDistinct;
    if (needs_field && e.field.empty()) {
      Issue(ErrorCode::kWrongArgumentCount, path, "this aggregate needs a \"field\" to read, e.g. \"field\": \"amount\"");
    }
    if (e.half_life_ms && e.agg != Agg::kCount && e.agg != Agg::kSum) {
      Issue(ErrorCode::kWrongArgumentType, JoinPointer(path, "half_life"),
            "\"half_life\" decays counts and sums only");
    }
    std::sort(e.types.begin(), e.types.end());  // a type listed twice must not count twice
    e.types.erase(std::unique(e.types.begin(), e.types.end()), e.types.end());
    if (e.types.empty()) event_types_.insert("*");
  }

  const CompileOptions& options_;
  std::vector<Error> issues_;
  int nodes_ = 0;
  int in_try_ = 0;  // > 0 while compiling the alternatives of a `try`
  std::set<std::string> tags_;
  std::set<std::string> event_types_;
  std::set<std::string> vars_;
};

CompileResult CompileRule(const json& rule, const CompileOptions& options) {
  try {
    return Compiler(options).Compile(rule);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: report, never abort
    CompileResult r;
    r.issues.push_back(Error{ErrorCode::kTooLarge, "", std::string("the rule could not be compiled: ") + e.what()});
    return r;
  }
}

CompileResult CompileRuleText(std::string_view json_text, const CompileOptions& options) {
  if (auto too_large = CheckInputBytes(json_text.size(), options.max_bytes, "rule")) {
    CompileResult r;
    r.issues.push_back(std::move(*too_large));
    return r;
  }
  // Rule text nests at most 512 levels (CompileOptions::max_depth is lower still).
  Result<json> parsed = ParseJson(json_text, "rule", 0, OnBadAlloc::kThrow, kMaxRuleTextNesting);
  if (!parsed.ok()) {
    CompileResult r;
    r.issues.push_back(parsed.error());
    return r;
  }
  return CompileRule(parsed.value(), options);
}

}  // namespace tagwise
