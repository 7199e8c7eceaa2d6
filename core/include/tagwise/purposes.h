// The consent purposes (DESIGN.md section 6): the one table the catalog,
// offers, experiments, the visitor session and the JS package read
// (js/ gets it from the wasm module's consentPurposes(); a test compares it
// with the Purpose union in js/index.d.ts).
#ifndef TAGWISE_PURPOSES_H_
#define TAGWISE_PURPOSES_H_

#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

namespace tagwise {

// A set of purpose names, e.g. the purposes a visitor granted.
using PurposeSet = std::set<std::string>;

// Every purpose, in the order lists show them.
inline constexpr std::string_view kPurposes[] = {"necessary", "security", "personalization", "marketing",
                                                 "analytics"};

// Always granted: what the shop needs to work at all.
inline constexpr std::string_view kNecessaryPurpose = "necessary";

inline bool IsPurpose(std::string_view name) {
  return std::find(std::begin(kPurposes), std::end(kPurposes), name) != std::end(kPurposes);
}

// True when `purpose` may be served: "necessary" always, others when in
// `granted` (null: no consent restriction, e.g. a batch job).
inline bool IsGranted(std::string_view purpose, const PurposeSet* granted) {
  return purpose == kNecessaryPurpose || granted == nullptr || granted->count(std::string(purpose)) > 0;
}

// Every purpose granted (batch jobs under the shop's own legal basis, tests).
inline PurposeSet AllPurposes() { return PurposeSet(std::begin(kPurposes), std::end(kPurposes)); }

}  // namespace tagwise

#endif  // TAGWISE_PURPOSES_H_
