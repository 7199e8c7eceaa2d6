// The operator table: every name the rule language knows, the Op it compiles
// to and the argument counts the compiler enforces (tagwise operators) or
// warns about (JsonLogic operators, which are lenient by specification).
#ifndef TAGWISE_CORE_SRC_RULES_OPERATORS_H_
#define TAGWISE_CORE_SRC_RULES_OPERATORS_H_

#include <string_view>

#include "rules/plan.h"

namespace tagwise {

struct OperatorInfo {
  std::string_view name;
  Op op;
  int min_args;     // -1: no check
  int max_args;     // -1: unbounded
  bool strict;      // true: count violations are errors; false: warnings
  bool pure;        // result depends only on the arguments (constant-foldable)
};

// Looks up an operator by name; null when unknown.
const OperatorInfo* FindOperator(std::string_view name);
// The known operator name closest to `name` (edit distance, ignoring ASCII
// case; see common/suggestions.h), or "" if none is close.
std::string_view SuggestOperator(std::string_view name);

}  // namespace tagwise

#endif  // TAGWISE_CORE_SRC_RULES_OPERATORS_H_
