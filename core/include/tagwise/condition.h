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
// Malformed conditions ($in with a non-list, an unknown "$" key, a regex
// JavaScript rejects, a null where a condition belongs, ...) are handled two
// ways, chosen by ConditionOptions::malformed:
//  - kReject (the default, and tw.validateCondition): each problem is an
//    error with a JSON Pointer and a "did you mean", and no rule is built;
//  - kLikeGrowthBook (tw.evaluateCondition, experiments.run): the rule
//    evaluates the condition exactly as GrowthBook's evalCondition does
//    (an unknown operator, $in/$nin/$all without a list, a bad $regex or
//    $type are false; an unknown "$" key at condition level is an
//    attribute name; "$or": 5 holds; "$and": "ab" tests attributes "0";
//    extra $savedGroup options are ignored; mixed "$"/plain objects are
//    literals), and every problem is a warning with the same code and path.
//    Where GrowthBook's own code throws a TypeError (a null where a
//    condition or list of conditions belongs; "$elemMatch": null on an
//    array), the whole condition does not match. What this engine cannot
//    evaluate as GrowthBook does also makes the whole condition not match:
//    a pattern it cannot run in linear time (backreferences, lookaround,
//    \p{..}; see bounded_regex.h: regexes never backtrack, so catastrophic
//    patterns cannot hang the page), and the depth, size and regex-length
//    limits below. GrowthBook reads an object's keys in the payload's order
//    and stops at the first that fails, so whether it reaches a part that
//    throws depends on that order: pass ConditionOptions::key_order
//    (KeyOrderFromText) to follow it; without it keys are read sorted.
// In both modes:
//  - an unknown saved group id keeps GrowthBook's meaning (an empty group)
//    but adds a warning; malformed saved groups add a warning too;
//  - objects compare by content, whatever their key order (GrowthBook
//    compares JSON.stringify text, where key order matters), and attribute
//    paths never reach JavaScript's inherited properties ("constructor").
#ifndef TAGWISE_CONDITION_H_
#define TAGWISE_CONDITION_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/rule.h"

namespace tagwise {

// The keys of objects in the order a JSON text wrote them (nlohmann::json
// keeps keys sorted), by the address of the object in the parsed value.
using JsonKeyOrder = std::unordered_map<const nlohmann::json*, std::vector<std::string>>;

// The key order of every object (of two keys or more) in `value`, which must
// have been parsed from `text`; empty if `text` does not parse. The text of a
// JavaScript object written by JSON.stringify has its keys in the order
// Object.entries gives them.
[[nodiscard]] JsonKeyOrder KeyOrderFromText(const nlohmann::json& value, std::string_view text);

// What a malformed part of a condition does (see the top of this file).
enum class MalformedCondition {
  kReject,          // an error issue each; CompileResult has no rule
  kLikeGrowthBook,  // evaluated as GrowthBook does; a warning issue each
};

struct ConditionOptions {
  // kReject by default: a typo is reported, not silently false. Payloads a
  // shop receives from GrowthBook use kLikeGrowthBook, so one bad condition
  // does not break the page.
  MalformedCondition malformed = MalformedCondition::kReject;
  // With kLikeGrowthBook: the order of the keys of the condition's (and the
  // saved groups') objects as the payload wrote them, for evaluation in
  // GrowthBook's order. Null: sorted order. Read during compilation only.
  const JsonKeyOrder* key_order = nullptr;
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
// JSON true or false (with kLikeGrowthBook, Evaluate may instead return a
// kThrown error where GrowthBook throws: count it as false). Lists every
// problem (errors and warnings) with its
// JSON Pointer into the condition ("/$and/1/age/$gt"); problems inside a
// saved group's condition point at the "$savedGroup" that uses it and name
// the group. The Rule's source() is the condition. Never throws.
[[nodiscard]] CompileResult CompileCondition(const nlohmann::json& condition, const ConditionOptions& options = {});

}  // namespace tagwise

#endif  // TAGWISE_CONDITION_H_
