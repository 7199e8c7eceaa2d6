// The compiled form of a rule: a tree of Nodes with operators resolved to an
// enum, literal arguments pre-parsed (var paths split, durations in ms, dates
// in ms) and constant sub-trees folded. Built by compiler.cpp, read by
// evaluator.cpp; never mutated after compilation.
#ifndef TAGWISE_CORE_SRC_RULES_PLAN_H_
#define TAGWISE_CORE_SRC_RULES_PLAN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
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

  // ---- MongoDB-style targeting conditions (GrowthBook), condition_compiler.cpp ----
  // Every one yields true/false. A "condition" node tests the current scope
  // as the object whose attributes it reads (GrowthBook's evalCondition); a
  // "value test" tests the current scope as the attribute value
  // (evalConditionValue / evalOperatorCondition). kCondPath, kCondSize and
  // kCondElemMatch/kCondAll (per element) switch the scope.
  kCondAnd,          // every argument holds (a condition object, an operator object, $and)
  kCondOr,           // some argument holds; true when there are none ($or)
  kCondNor,          // no argument holds; false when there are none ($nor)
  kCondNot,          // the one argument does not hold ($not, both levels)
  kCondPath,         // args[0] tests getPath(scope, cond->path) (missing: null)
  kCondMatchString,  // literal string: String(value) === literal (value + "")
  kCondMatchStringI, // literal string under $alli: lower-cased on both sides (literal is lower-cased)
  kCondMatchNumber,  // literal number: value * 1 === literal
  kCondMatchBool,    // literal boolean: value !== null && !!value === literal
  kCondMatchNull,    // literal null: value === null
  kCondMatchJson,    // literal array / plain object: JSON.stringify equality
  kCondEq, kCondNe,  // $eq / $ne: JS === / !== with `literal`
  kCondLt, kCondLe, kCondGt, kCondGe,  // $lt $lte $gt $gte: JS relational operators
  kCondExists,       // $exists: literal is the JS truthiness of the argument
  kCondIn, kCondNin, // $in/$nin/$ini/$nini/$inGroup/$notInGroup: cond->set (arrays intersect)
  kCondAll,          // $all/$alli: each argument holds for some element
  kCondElemMatch,    // $elemMatch: args[0] holds for some non-null element
  kCondSize,         // $size: args[0] tests the array's length
  kCondRegex,        // $regex/$regexi: cond->regex finds a match in String(value)
  kCondType,         // $type: getType(value) === literal
  kCondVEq, kCondVNe, kCondVGt, kCondVGe, kCondVLt, kCondVLe,  // $veq ... $vlte on cond->version
};

enum class Agg : uint8_t { kCount, kSum, kAvg, kMin, kMax, kDistinct, kFirstTs, kLastTs, kExists };

class Node;
class BoundedRegex;

// Pre-parsed arguments of a MongoDB-style condition operator (the kCond* ops),
// shared by copies of a plan and never mutated after compilation.
struct CondSpec {
  std::vector<std::string> path;  // kCondPath: the attribute path split on '.'
  std::string key;                // kCondPath: the path as written (explanations show it)
  // kCondIn/kCondNin: the primitive members of the list. Objects and arrays
  // never match (JS includes() compares them by identity). With
  // `insensitive`, strings are kept lower-cased and values are lower-cased
  // before the lookup ($ini/$nini).
  std::set<std::string> strings;
  std::set<double> numbers;  // -0 stored as +0
  bool has_true = false, has_false = false, has_null = false;
  bool insensitive = false;
  std::shared_ptr<const BoundedRegex> regex;  // kCondRegex
  std::string version;                        // kCondV*: paddedVersionString(argument)
};

// Arguments of an `events` aggregate, checked and pre-parsed at compile time.
struct EventsSpec {
  std::vector<std::string> types;      // empty: every type
  std::optional<int64_t> within_ms;    // none: all kept history
  std::optional<int64_t> half_life_ms; // decay for count/sum
  Agg agg = Agg::kCount;
  std::vector<std::string> field;      // prop path (dot-split) for sum/avg/min/max/distinct
  std::unique_ptr<Node> where;         // rule over the event's props, or null
  // The `where` rule's JSON text when it reads nothing but the event (no
  // now, tag, events, val or try), so its verdict per event can be kept in
  // the profile's EventMemo; empty otherwise.
  std::string where_key;
  // The one prop path the `where` rule reads, when its verdict is a function
  // of that value alone (WhereVerdicts, rule.h); empty otherwise. Not worked
  // out in the browser's modules (TAGWISE_SMALL_CORE), which never keep them.
  std::vector<std::string> where_path;
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
  std::shared_ptr<const CondSpec> cond;  // kCond* operators that need more than `literal`
  // For explanations: the operator as written ("" for literals) and the
  // JSON Pointer of this node in the rule.
  std::string_view name;
  std::string where;
};

}  // namespace tagwise

#endif  // TAGWISE_CORE_SRC_RULES_PLAN_H_
