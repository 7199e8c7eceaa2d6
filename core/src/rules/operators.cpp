#include "rules/operators.h"

#include "common/suggestions.h"

namespace tagwise {
namespace {

constexpr OperatorInfo kOperators[] = {
    // JsonLogic (json-logic-js 2.0.5 semantics; counts are advisory)
    {"var", Op::kVar, 0, 2, false, false},
    {"missing", Op::kMissing, -1, -1, false, false},
    {"missing_some", Op::kMissingSome, 2, 2, false, false},
    {"if", Op::kIf, -1, -1, false, true},
    {"?:", Op::kIf, -1, -1, false, true},
    {"and", Op::kAnd, 1, -1, false, true},
    {"or", Op::kOr, 1, -1, false, true},
    {"!", Op::kNot, 1, 1, false, true},
    {"!!", Op::kNotNot, 1, 1, false, true},
    {"==", Op::kEq, 2, 2, false, true},
    {"!=", Op::kNe, 2, 2, false, true},
    {"===", Op::kStrictEq, 2, 2, false, true},
    {"!==", Op::kStrictNe, 2, 2, false, true},
    {"<", Op::kLt, 2, 3, false, true},
    {"<=", Op::kLe, 2, 3, false, true},
    {">", Op::kGt, 2, 2, false, true},
    {">=", Op::kGe, 2, 2, false, true},
    {"+", Op::kAdd, -1, -1, false, true},
    {"-", Op::kSub, 1, 2, false, true},
    {"*", Op::kMul, 1, -1, false, true},
    {"/", Op::kDiv, 2, 2, false, true},
    {"%", Op::kMod, 2, 2, false, true},
    {"min", Op::kMin, 1, -1, false, true},
    {"max", Op::kMax, 1, -1, false, true},
    {"cat", Op::kCat, -1, -1, false, true},
    {"substr", Op::kSubstr, 1, 3, false, true},
    {"in", Op::kIn, 2, 2, false, true},
    {"merge", Op::kMerge, -1, -1, false, true},
    {"map", Op::kMap, 2, 2, false, false},
    {"filter", Op::kFilter, 2, 2, false, false},
    {"reduce", Op::kReduce, 2, 3, false, false},
    {"all", Op::kAll, 2, 2, false, false},
    {"some", Op::kSome, 2, 2, false, false},
    {"none", Op::kNone, 2, 2, false, false},
    {"log", Op::kLog, 1, 1, false, true},
    // Community JsonLogic operators
    {"val", Op::kVal, -1, -1, false, false},
    {"exists", Op::kExists, -1, -1, false, false},
    {"??", Op::kCoalesce, -1, -1, false, true},
    {"try", Op::kTry, -1, -1, false, false},
    {"throw", Op::kThrow, 1, 1, true, false},
    {"preserve", Op::kLiteral, -1, -1, false, true},
    // tagwise behaviour operators (DESIGN.md section 4); counts are enforced
    {"now", Op::kNow, 0, 0, true, false},
    {"days_since", Op::kDaysSince, 1, 1, true, false},
    {"hours_since", Op::kHoursSince, 1, 1, true, false},
    {"date", Op::kDate, 1, 1, true, true},
    {"events", Op::kEvents, 1, 1, true, false},
    {"tag", Op::kTag, 1, 1, true, false},
    {"tag_value", Op::kTagValue, 1, 1, true, false},
    {"bucket", Op::kBucket, 2, 2, true, true},
    {"logistic", Op::kLogistic, 1, -1, true, true},
    {"ln", Op::kLn, 1, 1, true, true},
    {"exp", Op::kExp, 1, 1, true, true},
    {"clamp", Op::kClamp, 3, 3, true, true},
    {"round", Op::kRound, 1, 2, true, true},
};


}  // namespace

const OperatorInfo* FindOperator(std::string_view name) {
  for (const OperatorInfo& info : kOperators) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::string_view SuggestOperator(std::string_view name) {
  // Names of three characters or fewer ("var", "in") allow one edit, longer ones two.
  return internal::ClosestMatch(
      name, kOperators,
      {.max_distance = [](size_t, size_t candidate) -> size_t { return candidate <= 3 ? 1 : 2; },
       .ignore_case = true},
      &OperatorInfo::name);
}

}  // namespace tagwise
