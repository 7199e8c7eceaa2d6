// MongoDB-style targeting conditions, the syntax GrowthBook uses
// (DESIGN.md section 7), compiled into the same plan as rules:
//
//   const nlohmann::json groups = {{"beta", {"u1", "u7"}}};
//   tagwise::ConditionOptions options{.saved_groups = &groups};
//   tagwise::CompileResult c = tagwise::CompileCondition(nlohmann::json::parse(R"({
//       "country": {"$in": ["CN", "SG"]}, "app.version": {"$vgte": "2.1.0"},
//       "$or": [{"vip": true}, {"id": {"$inGroup": "beta"}}]})"), options);
//   if (!c.ok()) { print(tagwise::FormatIssues(c.issues)); }
//   tagwise::Result<nlohmann::json> r = c.rule->Evaluate(attributes, tagwise::EvalContext{});
//   // r.value() is true or false, exactly what GrowthBook's
//   // evalCondition(attributes, condition, savedGroups) returns.
//
// Every operator of @growthbook/growthbook 1.8.0 (src/mongrule.ts) is
// supported with its exact semantics: $eq $ne $lt $lte $gt $gte (JavaScript
// comparison, mixed types included), $in $nin $ini $nini (an array attribute
// matches when it intersects), $all $alli $size $elemMatch $exists $type
// $not $regex $regexi, $veq $vne $vgt $vgte $vlt $vlte (versions such as
// "v1.2.3-beta+7"), $inGroup $notInGroup, and at condition level $and $or
// $nor $not $savedGroup; "a.b.0" paths read nested attributes; a literal
// compares as GrowthBook does (value + "" for strings, value * 1 for numbers,
// JSON text for arrays and objects).
//
// Deliberate differences, each a compile-time issue with a JSON Pointer
// instead of GrowthBook's silent `false`:
//  - unknown operators ({"age": {"$gtt": 3}}, a top-level "$gt") are errors
//    with a "did you mean"; so are operator arguments of the wrong shape
//    ($in/$nin/$all not a list, $regex not text, $type not a type name,
//    $elemMatch not an object, $and/$or/$nor not a list of conditions) and
//    objects mixing "$operators" with plain keys;
//  - a pattern JavaScript rejects, or one this engine cannot run in linear
//    time (backreferences, lookaround; see bounded_regex.h), is an error:
//    regexes never backtrack, so catastrophic patterns cannot hang the page;
//  - an unknown saved group id keeps GrowthBook's meaning (an empty group)
//    but adds a warning; malformed saved groups add a warning too;
//  - objects compare by content, whatever their key order (GrowthBook
//    compares JSON.stringify text, where key order matters), and attribute
//    paths never reach JavaScript's inherited properties ("constructor").
#ifndef TAGWISE_CONDITION_H_
#define TAGWISE_CONDITION_H_

#include <cstddef>

#include <nlohmann/json.hpp>

#include "tagwise/rule.h"

namespace tagwise {

struct ConditionOptions {
  // GrowthBook's savedGroups payload, {"groupId": [values...]} or the v2
  // entries {"type": "list", "values": [...], "attributeKey": "id"} and
  // {"type": "condition", "condition": {...}}. Read during compilation only
  // (the groups are resolved into the plan), not kept. Null: no groups.
  const nlohmann::json* saved_groups = nullptr;
  // Deepest nesting of conditions and operators (kTooDeep beyond).
  int max_depth = 128;
  // Most plan nodes, saved groups expanded included (kTooLarge beyond).
  int max_nodes = 100000;
  // Longest $regex pattern in UTF-8 bytes (kTooLarge beyond).
  size_t max_regex_bytes = 1024;
};

// Compiles a condition into a Rule whose Evaluate(attributes, ctx) returns
// JSON true or false. Lists every problem (errors and warnings) with its
// JSON Pointer into the condition ("/$and/1/age/$gt"); problems inside a
// saved group's condition point at the "$savedGroup" that uses it and name
// the group. The Rule's source() is the condition. Never throws.
[[nodiscard]] CompileResult CompileCondition(const nlohmann::json& condition, const ConditionOptions& options = {});

}  // namespace tagwise

#endif  // TAGWISE_CONDITION_H_
