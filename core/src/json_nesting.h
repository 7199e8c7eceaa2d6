// A pre-parse guard shared by the readers of untrusted JSON text (the store,
// the hint builder's event lines): parsing or copying a deeply nested value
// recurses, and in wasm every level uses the host's small native stack.
#ifndef TAGWISE_CORE_SRC_JSON_NESTING_H_
#define TAGWISE_CORE_SRC_JSON_NESTING_H_

#include <string_view>

namespace tagwise::internal {

// True when `text` nests arrays/objects deeper than `limit` (skips strings).
bool NestsDeeperThan(std::string_view text, int limit);

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_JSON_NESTING_H_
