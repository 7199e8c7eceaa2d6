// Byte limits on whole inputs, checked before anything is parsed, so an
// oversized catalog, rule, snapshot, store or hint file costs one comparison
// and gives a clear kTooLarge error instead of exhausting a tab's memory.
//
// Each limit is also a field of the options struct of the function that reads
// the input (CompileOptions::max_bytes, CatalogOptions::max_bytes,
// ProfileLimits::max_bytes, DecodeHints' max_bytes); the defaults below are
// far above what a healthy input needs (docs/hardening.md "Limits" lists them all).
#ifndef TAGWISE_LIMITS_H_
#define TAGWISE_LIMITS_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "tagwise/error.h"

namespace tagwise {

// One rule as JSON or text. 16 MiB, as a whole catalog: rules written by
// people are a few KB, but a generated allow-list (`in` over 200,000 SKUs,
// tests/js/bad_input.test.mjs) is a few MB and legitimate.
inline constexpr size_t kDefaultMaxRuleBytes = size_t{16} << 20;
// A catalog's JSON. 16 MiB: 5,000 tags (the tag limit) at about 3 KB each.
inline constexpr size_t kDefaultMaxCatalogBytes = size_t{16} << 20;
// A profile, snapshot, event list or stored blob. 32 MiB: the default
// retention (5,000 events) is about 1 MB; 100,000 events (ProfileLimits'
// event limit) with modest props fit.
inline constexpr size_t kDefaultMaxProfileBytes = size_t{32} << 20;
// A hints file. 64 MiB: hints for the whole UCI Online Retail shop (4,000
// items, 4,300 customers) take well under 1 MB.
inline constexpr size_t kDefaultMaxHintBytes = size_t{64} << 20;
// One event's props, measured as their JSON text would be (about).
inline constexpr size_t kDefaultMaxPropsBytes = size_t{64} << 10;

// kTooLarge when `bytes` is over `limit`: "The catalog is 17.0 MB; the limit
// is 16.0 MB." `what` names the input ("catalog", "rule", "hints file").
[[nodiscard]] std::optional<Error> CheckInputBytes(size_t bytes, size_t limit, std::string_view what,
                                                   std::string_view path = "");

}  // namespace tagwise

#endif  // TAGWISE_LIMITS_H_
