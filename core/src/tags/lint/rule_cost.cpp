// Static cost estimate of one rule (tagwise/lint.h, RuleCostWarnings): the
// shapes whose work grows faster than their data, found before the rule runs
// (as CEL estimates cost at compile time). The evaluation budgets stop such
// rules either way; this tells the operator why a tag would fail.
#include <algorithm>
#include <string>
#include <vector>

#include "tagwise/lint.h"

namespace tagwise {
namespace {

using nlohmann::json;

bool IsIteration(const std::string& op) {
  return op == "map" || op == "filter" || op == "reduce" || op == "all" || op == "some" || op == "none";
}

// {"var": "accumulator"} (or a path under it) anywhere in j, at most `depth` levels down.
int AccumulatorReads(const json& j, int depth) {
  if (depth < 0) return 0;
  if (j.is_array()) {
    int n = 0;
    for (const json& e : j) n += AccumulatorReads(e, depth - 1);
    return n;
  }
  if (!j.is_object() || j.size() != 1) return 0;
  const json& v = j.begin().value();
  if (j.begin().key() == "var") {
    const json& p = v.is_array() ? (v.empty() ? v : v[0]) : v;
    if (!p.is_string()) return 0;
    const std::string& s = p.get_ref<const std::string&>();
    return s == "accumulator" || s.rfind("accumulator.", 0) == 0 ? 1 : 0;
  }
  return AccumulatorReads(v, depth - 1);
}

bool Builds(const json& j, int depth) {  // a cat or merge anywhere in j
  if (depth < 0) return false;
  if (j.is_array()) return std::any_of(j.begin(), j.end(), [&](const json& e) { return Builds(e, depth - 1); });
  if (!j.is_object() || j.size() != 1) return false;
  return j.begin().key() == "cat" || j.begin().key() == "merge" || Builds(j.begin().value(), depth - 1);
}

// Walks a rule the way the compiler reads it.
class CostScan {
 public:
  explicit CostScan(int max_depth) : max_depth_(max_depth) {}

  void Walk(const json& j, const std::string& path, int depth) {
    if (depth > max_depth_) return;  // too deep to compile: its own error says so
    if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i) Walk(j[i], JoinPointer(path, std::to_string(i)), depth + 1);
      return;
    }
    if (!j.is_object() || j.size() != 1) return;
    const std::string& op = j.begin().key();
    const json& values = j.begin().value();
    const std::string op_path = JoinPointer(path, op);
    // Literal data is not a rule; an `events` spec is an object of several
    // keys, which the walk leaves (its `where` runs once per event: linear).
    if (op == "preserve") return;
    if (!values.is_array()) {
      Walk(values, op_path, depth + 1);
      return;
    }
    const bool iterates = values.size() >= 2 && IsIteration(op);
    if (iterates) Check(op, values, op_path);
    for (size_t i = 0; i < values.size(); ++i) {
      const bool body = iterates && i == 1;  // the part run once per item
      iterating_ += body ? 1 : 0;
      Walk(values[i], JoinPointer(op_path, std::to_string(i)), depth + 1);
      iterating_ -= body ? 1 : 0;
    }
  }

  std::vector<RuleCost> take() { return std::move(found_); }

 private:
  void Check(const std::string& op, const json& values, const std::string& op_path) {
    // A literal list has a known length; a short one costs what it says.
    const bool over_data = !values[0].is_array() || values[0].size() > kLongLiteral;
    if (over_data && iterating_ > 0 && !nested_reported_) {
      nested_reported_ = true;
      found_.push_back({op_path, "The rule runs \"" + op +
                                     "\" once per item of another list: its work is the product of their lengths."});
    }
    if (op == "reduce" && Builds(values[1], max_depth_) && AccumulatorReads(values[1], max_depth_) >= 2) {
      found_.push_back({JoinPointer(op_path, "1"),
                        "The rule reads the accumulator twice to build a value in \"reduce\": it can double at "
                        "every item."});
    }
  }

  static constexpr size_t kLongLiteral = 1000;
  const int max_depth_;
  int iterating_ = 0;             // iteration bodies around the node being walked
  bool nested_reported_ = false;  // nested iteration: once per rule
  std::vector<RuleCost> found_;
};

}  // namespace

std::vector<RuleCost> RuleCostWarnings(const json& rule, int max_depth) {
  CostScan scan(max_depth);
  scan.Walk(rule, "", 0);
  return scan.take();
}

}  // namespace tagwise
