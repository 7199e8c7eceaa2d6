// Evaluation of a compiled plan (internal). Values flow as Val: either a
// borrowed reference into the caller's data / the plan's literals (no copy)
// or an owned json for computed results.
#ifndef TAGWISE_CORE_SRC_RULES_EVALUATOR_H_
#define TAGWISE_CORE_SRC_RULES_EVALUATOR_H_

#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/plan.h"
#include "tagwise/error.h"
#include "tagwise/rule.h"

namespace tagwise {

// A dotted path ("a.b.c") split into its segments; "" gives one empty segment.
// `var` paths, event `field`s and condition paths all read it this way.
std::vector<std::string> SplitPath(const std::string& p);

class Val {
 public:
  Val() = default;
  explicit Val(nlohmann::json v) : own_(std::move(v)) {}
  static Val Ref(const nlohmann::json& j) {
    Val v;
    v.ref_ = &j;
    return v;
  }
  const nlohmann::json& get() const { return ref_ ? *ref_ : own_; }
  const nlohmann::json* ref() const { return ref_; }
  nlohmann::json take() && { return ref_ ? *ref_ : std::move(own_); }

 private:
  const nlohmann::json* ref_ = nullptr;
  nlohmann::json own_;
};

// What the two step bounds say, here and in the column evaluator
// (rule_columns.cpp): a rule past its own limit, and the rules of a call
// after its shared budget ran out.
std::string StepLimitMessage(int64_t max_steps);
inline constexpr const char kStepBudgetMessage[] =
    "this call's rules together did more work than its budget; simplify the costliest";

// An error raised while evaluating (the `throw` operator, a step limit).
struct EvalFailure {
  ErrorCode code;
  nlohmann::json value;  // for kThrown: {"type": ...} or the thrown object
  std::string message;
  std::string path = {};  // kBudgetExceeded: the JSON Pointer of the node in the rule
};

class Evaluator {
 public:
  Evaluator(const EvalContext& ctx, const nlohmann::json& data);
  // Subtracts the work done from ctx.budget (if any). Rule::Evaluate calls it
  // once, after the evaluation ended either way.
  void ChargeBudget() const;
  // Throws EvalFailure (caught by Rule::Evaluate and the `try` operator).
  Val Eval(const Node& n);
  // Evaluates `n` with `data` as the current scope (event props for `where`).
  Val EvalWith(const Node& n, const nlohmann::json& data);
  // Turns on tracing: every evaluated node is recorded under `root`.
  void EnableTrace(nlohmann::json* root) { trace_ = root; }

 private:
  struct Frame {
    const nlohmann::json* data;
    int64_t index;  // iteration index, -1 for the root
  };
  // A stack of scopes that lives inline for the usual shallow nesting, so
  // constructing an Evaluator (once per rule evaluation) does not allocate.
  class FrameStack {
   public:
    using value_type = Frame;
    void push_back(Frame f) {
      if (size_ < kInline) inline_[size_] = f;
      else overflow_.push_back(f);
      ++size_;
    }
    void pop_back() {
      if (size_ > kInline) overflow_.pop_back();
      --size_;
    }
    size_t size() const { return size_; }
    const Frame& operator[](size_t i) const { return i < kInline ? inline_[i] : overflow_[i - kInline]; }
    const Frame& back() const { return (*this)[size_ - 1]; }
    const Frame& front() const { return inline_[0]; }

   private:
    static constexpr size_t kInline = 16;
    Frame inline_[kInline];
    std::vector<Frame> overflow_;
    size_t size_ = 0;
  };
  Val EvalNode(const Node& n);
  Val EvalOther(const Node& n);  // the operators EvalNode does not handle itself
  Val EvalMissing(const Node& n);
  Val EvalTry(const Node& n);
  Val EvalTraced(const Node& n);
  Val EvalVar(const Node& n);
  Val EvalScopedPath(const Node& n, bool exists_only);
  Val EvalIteration(const Node& n);
  Val EvalEvents(const Node& n);
  Val CountEvents(const EventsSpec& spec);  // EvalEvents without the memo
  // The kCond* operators (MongoDB-style conditions); the scope is the object
  // or value under test.
  Val EvalCondition(const Node& n);
  bool CondHolds(const Node& n, const nlohmann::json& scope);
  void Step();
  void Steps(int64_t n);  // n steps at once (an aggregate that counts without visiting)
  static bool AppendsToAccumulator(const Node& body);
  bool AppendInPlace(const Node& body, nlohmann::json* acc);
  // The arguments of cat / merge from `first` on, appended to `out` (a
  // string / a list) as the operator joins them; merge charges its copies.
  void CatArgs(const Node& n, size_t first, std::string* out);
  void MergeArgs(const Node& n, size_t first, nlohmann::json* out);
  // Charges a value node `n` built (or copied) to max_built_bytes.
  void Built(const Node& n, const nlohmann::json& v);
  void Built(const Node& n, int64_t bytes);
  // Inside `try`, NaN results and division by zero raise {"type": "NaN"} so an
  // alternative can handle them; elsewhere they yield NaN as in json-logic-js.
  Val Arithmetic(double result, bool division_by_zero = false);
  Val EvalSpread(const Node& n);

  const EvalContext& ctx_;
  FrameStack frames_;
  std::list<nlohmann::json> scratch_;  // owned scope values (reduce items, error objects)
  int64_t steps_ = 0;
  // This evaluation's bounds: EvalOptions, or what the call's EvalBudget has
  // left when that is less (then passing them is budget_exceeded).
  int64_t max_steps_ = 0;
  int64_t max_bytes_ = 0;
  bool steps_from_budget_ = false;
  bool bytes_from_budget_ = false;
  int64_t built_ = 0;  // bytes of values built so far (EvalOptions::max_built_bytes)
  int strict_ = 0;  // > 0 while evaluating inside `try`
  nlohmann::json* trace_ = nullptr;  // current trace node's "args" array, when tracing
  nlohmann::json* trace_node_ = nullptr;  // the trace node being evaluated
};

// Evaluates a node whose arguments are all literals and which reads no data or
// time; nullopt if it fails (it is then left for run time).
std::optional<nlohmann::json> EvaluateConstant(const Node& n);

// JavaScript semantics the MongoDB-style conditions need beyond js_value.h
// (defined in condition_compiler.cpp, used by the compiler and evaluator).
namespace cond {
// String.prototype.toLowerCase() on UTF-8 text (full Unicode mapping,
// "İ" -> "i̇" and the final-sigma rule included).
std::string JsToLowerCase(std::string_view s);
// GrowthBook's paddedVersionString(input) (util.ts): "v1.2.3-rc.1+b" ->
// "    1-    2-    3-rc-    1", compared as JS strings.
std::string PaddedVersionString(const nlohmann::json& input);
// JavaScript !!v (an empty array is true, unlike JsonLogic truthiness).
bool JsTruthy(const nlohmann::json& v);
// JSON.stringify(a) === JSON.stringify(b), object keys compared as sets.
bool JsonTextEquals(const nlohmann::json& a, const nlohmann::json& b);
// GrowthBook's getType(v): "null", "array", "string", "number", "boolean", "object".
std::string_view TypeName(const nlohmann::json& v);
// Whether JS `expected.includes(v)` holds for the list behind `spec`
// (strings lower-cased first when spec.insensitive).
bool SetContains(const CondSpec& spec, const nlohmann::json& v);
}  // namespace cond


}  // namespace tagwise

#endif  // TAGWISE_CORE_SRC_RULES_EVALUATOR_H_
