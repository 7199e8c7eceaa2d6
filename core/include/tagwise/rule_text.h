// The readable text form of a rule (DESIGN.md section 4). An operator types
//
//   events(order_paid, within 30d) >= 5 and days_since(last_login) > 30
//
// and ParseRuleText turns it into the JSON rule
//
//   {"and": [{">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 5]},
//            {">": [{"days_since": [{"var": "last_login"}]}, 30]}]}
//
// The JSON stays canonical; the text is only another way to write and show it.
// FormatRule goes the other way, and the two are exact inverses:
//
//   ParseRuleText(FormatRule(r).value()).value() == r
//
// for every rule r that FormatRule accepts, down to number kinds (1, 1.0 and
// -0.0 stay distinct), {"var": "a"} versus {"var": ["a"]}, and literal objects.
//
// Grammar, lowest precedence first ({x} = repeat, [x] = optional):
//
//   rule     = expr
//   expr     = "if" expr "then" expr {"else" "if" expr "then" expr} ["else" expr]
//            | or
//   or       = and {("or" | "||") and}               n-ary: a or b or c
//   and      = not {("and" | "&&") not}              n-ary
//   not      = "not" not | compare                   "not a == b" is not (a == b)
//   compare  = sum {cmp sum}                          a < b < c is one 3-argument "<";
//   cmp      = "==" | "!=" | "===" | "!==" | "<" | "<=" | ">" | ">=" | "in"
//                                                     mixing two different ones needs ()
//   sum      = product {("+" | "-") product}         "+" is n-ary, "-" is binary
//   product  = unary {("*" | "/" | "%") unary}       "*" is n-ary, "/" "%" binary
//   unary    = ("-" | "+" | "!" | "!!") unary | primary     "-5" is the number -5,
//                                                     "-(5)" is {"-": [5]}
//   primary  = number | string | "true" | "false" | "null"
//            | path                                  user.age  -> {"var": "user.age"}
//            | "events" "(" [event {"," event}] ")"
//            | name "(" [expr {"," expr}] ")"        days_since(x) -> {"days_since": [x]}
//            | "(" expr ")"
//            | "[" [expr {"," expr}] "]"             a JSON array of rules
//            | "{" [key ":" expr {"," key ":" expr}] "}"   a JSON object; with one key
//                                                     it is that operation exactly, so
//                                                     {"var": ""} or {"-": [1, 2, 3]}
//                                                     write any operation at all
//   event    = evname | "[" [evname {"," evname}] "]"          "type"
//            | "within" duration | "half_life" duration
//            | "where" expr
//            | "agg" evname ["of" evname]        agg sum of amount (agg, field)
//            | "field" evname
//   evname   = path | string
//   duration = a number directly followed by ms, s, m, h, d or w (500ms, 90s,
//              15m, 12h, 30d, 2w; only here) | string
//
// An `if` may also stand where a value is expected (1 + if c then 2 else 3);
// its last branch reaches as far as possible, to the next ',' or bracket.
// Numbers and strings are JSON's ("..." with JSON escapes; '...' also works);
// "-" directly before a number is part of it. Object keys may be bare names.
// A path is letters, digits and "_" in dot-separated segments, not starting
// with a digit; Chinese (CJK), Japanese, Korean, Latin, Greek and Cyrillic
// letters count as letters. Keywords are lowercase. "#" starts a comment.
// Trailing commas are allowed. Any operator whose name is a path (known or
// not, so the compiler can still report unknown ones) uses the call form
// name(...). What has no short form (a name such as "?:" or "foo bar", an
// argument that is not an array as in {"max": 1}, `-` with three arguments,
// an events spec with unknown members) is written as its JSON object.
//
// Limits: brackets may nest at most 128 deep and the resulting JSON at most
// 128 levels (an operation with its argument list is one level); beyond that
// ParseRuleText returns kTooDeep. It never recurses, so any input is safe.
#ifndef TAGWISE_RULE_TEXT_H_
#define TAGWISE_RULE_TEXT_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"

namespace tagwise {

// Parses the text form into the JSON rule. On failure the Error has code
// kSyntax (or kInvalidUtf8, kTooDeep) and path "line:column", both 1-based,
// columns counted in Unicode code points (so "用户" is two columns and a tab
// one). Never throws.
[[nodiscard]] Result<nlohmann::json> ParseRuleText(std::string_view text);

// Writes a JSON rule as text on one line, with parentheses only where needed.
// Fails (path = JSON Pointer into `rule`) only for what the text cannot hold:
// kTooDeep past the nesting limits above, kInvalidUtf8 for a string that is not
// UTF-8, kInvalidRule for NaN/infinity or binary values. Never throws.
[[nodiscard]] Result<std::string> FormatRule(const nlohmann::json& rule);

}  // namespace tagwise

#endif  // TAGWISE_RULE_TEXT_H_
