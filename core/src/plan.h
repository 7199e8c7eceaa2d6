// The compiled form of a rule: a tree of Nodes with operators resolved to an
// enum, literal arguments pre-parsed (var paths split, durations in ms, dates
// in ms) and constant sub-trees folded. Built by compiler.cpp, read by
// evaluator.cpp; never mutated after compilation.
#ifndef TAGWISE_CORE_SRC_PLAN_H_
#define TAGWISE_CORE_SRC_PLAN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tagwise {

enum class Op : uint8_t {
  // Values
  kLiteral,     // `literal` as is
  kArray,       // array whose elements are rules: evaluate each
  // Data access
  kVar, kVal, kExists, kMissing, kMissingSome,
  // Logic
  kIf, kAnd, kOr, kNot, kNotNot, kCoalesce,
  // Comparison
  kEq, kNe, kStrictEq, kStrictNe, kLt, kLe, kGt, kGe,
  // Arithmetic
  kAdd, kSub, kMul, kDiv, kMod, kMin, kMax,
  // Strings and arrays
  kCat, kSubstr, kIn, kMerge,
  // Iteration
  kMap, kFilter, kReduce, kAll, kSome, kNone,
  // Errors
  kTry, kThrow, kLog,
  // tagwise behaviour operators
  kNow, kDaysSince, kHoursSince, kDate, kEvents, kTag, kTagValue,
  kBucket, kLogistic, kLn, kExp, kClamp, kRound,
};

enum class Agg : uint8_t { kCount, kSum, kAvg, kMin, kMax, kDistinct, kFirstTs, kLastTs, kExists };

class Node;

// Arguments of an `events` aggregate, checked and pre-parsed at compile time.
struct EventsSpec {
  std::vector<std::string> types;      // empty: every type
  std::optional<int64_t> within_ms;    // none: all kept history
  std::optional<int64_t> half_life_ms; // decay for count/sum
  Agg agg = Agg::kCount;
  std::vector<std::string> field;      // prop path (dot-split) for sum/avg/min/max/distinct
  std::unique_ptr<Node> where;         // rule over the event's props, or null
};

class Node {
 public:
  Op op = Op::kLiteral;
  bool args_spread = false;   // arguments come from one runtime array (preserve/merge)
  std::vector<Node> args;
  nlohmann::json literal;     // kLiteral value; kVar/kVal default kept in args
  // kVar: static path (split on '.'), used when `static_path` is true.
  bool static_path = false;
  bool whole_data = false;    // kVar with "" / null path
  std::vector<std::string> path;
  std::string tag_id;         // kTag / kTagValue
  std::unique_ptr<EventsSpec> events;
  // For explanations: the operator as written ("" for literals) and the
  // JSON Pointer of this node in the rule.
  std::string_view name;
  std::string where;
};

}  // namespace tagwise

#endif  // TAGWISE_CORE_SRC_PLAN_H_
