// Shared pieces of the libFuzzer targets in fuzz/: input framing, the JSON
// reader the wasm boundary uses, and fixed evaluation inputs (a data object,
// a profile with events, a tag resolver) so that whatever a target manages to
// compile is also evaluated.
#ifndef TAGWISE_FUZZ_FUZZ_SUPPORT_H_
#define TAGWISE_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/profile.h"
#include "tagwise/rule.h"

namespace tagwise::fuzz {

// Inputs made of several parts separate them with a NUL byte, which JSON text
// cannot contain outside strings ("rule\0data"). Missing parts are "".
std::vector<std::string_view> SplitParts(const uint8_t* data, size_t size, size_t max_parts);

// The core JSON readers the wasm layer uses (tagwise/json_text.h): nlohmann with the 1,000-level
// nesting limit (ParseJson; validates UTF-8) and the fast reader used for
// profiles, events, records and conditions (ParseFast; passes raw bytes of
// strings through unchecked, as TextEncoder output is trusted to be UTF-8).
std::optional<nlohmann::json> ParseStrict(std::string_view text);
std::optional<nlohmann::json> ParseLikeBoundary(std::string_view text);

// A fixed evaluation time (2026-11-22T08:53:20Z) and inputs around it.
inline constexpr int64_t kNow = 1'763'800'000'000;
const nlohmann::json& FixedData();        // attributes / record for `var`
const Profile& FixedProfile();            // a few events of several types, one rollup
const TagResolver& FixedTags();           // holds "vip" (value 3) and "active"
// Step budget for fuzzed evaluations: enough for any real rule, small enough
// that an input cannot spend the whole -timeout on counted steps.
inline constexpr int64_t kMaxSteps = 2'000'000;
EvalContext FixedContext(const Profile* profile = &FixedProfile());

// Same JSON value with the same number kinds (1 and 1.0 distinct, -0.0 and
// 0.0 distinct; signed and unsigned integers alike), which nlohmann's
// operator== does not check.
bool StrictEqual(const nlohmann::json& a, const nlohmann::json& b);

// Tags reading events every way an aggregate can (windows, filters, sums,
// distinct, last_ts, decay, days_since), an exclusive group, a parent, a
// server tag, and one tag per consent purpose: the catalog the profile and
// session fuzzers evaluate.
inline constexpr const char* kEventsCatalog = R"({
  "tagwise": 1,
  "groups": [{"id": "life", "exclusive": true}],
  "tags": [
    {"id": "new", "group": "life", "priority": 1, "when": {"<": [{"events": [{"type": "order_paid"}]}, 2]}},
    {"id": "returning", "group": "life", "priority": 2, "when": {">=": [{"events": [{"type": "order_paid"}]}, 1]}},
    {"id": "spender", "when": {">=": [{"events": [{"type": "order_paid", "within": "90d", "agg": "sum", "field": "amount"}]}, 50]},
     "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "amount"}]}},
    {"id": "browser", "when": {">=": [{"events": [{"type": ["view", "cart_add"], "within": "7d", "agg": "distinct", "field": "item"}]}, 2]}},
    {"id": "abandon", "when": {">": [{"??": [{"events": [{"type": "cart_add", "within": "7d", "agg": "last_ts"}]}, 0]},
                                    {"??": [{"events": [{"type": "order_paid", "agg": "last_ts"}]}, 0]}]}},
    {"id": "shoes", "parent": "browser", "when": {">=": [{"events": [{"type": "view", "within": "30d",
       "where": {"==": [{"var": "category"}, "shoes"]}}]}, 1]}},
    {"id": "decayed", "when": {">": [{"events": [{"type": "*", "half_life": "7d"}]}, 1.5]}},
    {"id": "max_amount", "when": {">": [{"events": [{"type": "order_paid", "agg": "max", "field": "amount"}]}, 20]}},
    {"id": "dormant", "when": {">": [{"days_since": [{"var": "last_login"}]}, 30]}},
    {"id": "churn_risk", "source": "server", "ttl": "7d", "purpose": "marketing"},
    {"id": "intent", "purpose": "personalization", "when": {">=": [{"events": [{"type": "view", "within": "7d"}]}, 3]}},
    {"id": "risk", "purpose": "security", "when": {">=": [{"events": [{"type": "refund"}]}, 1]}},
    {"id": "coupon", "purpose": "marketing", "when": {">=": [{"events": [{"type": "coupon_click", "half_life": "7d"}]}, 0.5]}},
    {"id": "pages", "purpose": "analytics", "when": {">": [{"events": [{"type": "*", "agg": "distinct", "field": "page"}]}, 1]}}
  ]
})";

// A violated property: prints what and aborts, so libFuzzer saves the input.
[[noreturn]] void Fail(std::string_view what, std::string_view detail = {});

// dump() that never throws (invalid UTF-8 is replaced), for messages.
std::string SafeDump(const nlohmann::json& j);

}  // namespace tagwise::fuzz

#endif  // TAGWISE_FUZZ_FUZZ_SUPPORT_H_
