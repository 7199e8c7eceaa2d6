// Internal helpers shared by the hint builder (hint_builder.cpp), the binary
// codec (hints_codec.cpp) and Hints itself (hints.cpp), so that a built and a
// decoded Hints derive their rankings with the same code.
#ifndef TAGWISE_CORE_SRC_RECOMMEND_HINTS_INTERNAL_H_
#define TAGWISE_CORE_SRC_RECOMMEND_HINTS_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tagwise/hints.h"

namespace tagwise::internal {

// Longest item id, user id, basket id, segment key or value, in bytes. Ids are
// SKUs, customer numbers and order numbers, so a longer one is a bug (a whole
// payload passed as the id); the builder skips it and the decoder rejects it.
inline constexpr size_t kMaxIdBytes = 256;
// Longest item name or category, in bytes (product titles are far shorter).
inline constexpr size_t kMaxTextBytes = 4096;

// The similarity of two items that `count` sets hold both of:
// count / (total_i^alpha * total_j^(1-alpha)); for alpha == 0.5 exactly
// count / sqrt(double(total_i) * double(total_j)) (the cosine). The builder
// scores links with it and the decoder recomputes the same scores from the
// stored counts.
double CoScore(uint32_t count, uint32_t total_i, uint32_t total_j, double alpha);

// Fills hints->popular (every item by buyers desc, id asc) and hints->trending
// (items with recent > previous by (recent - previous desc, recent desc, id
// asc), at most `trending_size`) from hints->items, which must be sorted by id.
void DeriveRankings(Hints* hints, size_t trending_size);

// Orders a segment's items by (count desc, buyers desc, id asc); `items` is
// the item table sorted by id, which the entries index.
void SortSegmentItems(const std::vector<HintItem>& items, std::span<RankedEntry> entries);

// nullopt when `id` may name an item, user, basket or segment value:
// non-empty, at most kMaxIdBytes, valid UTF-8. Otherwise the reason, at
// `path`, with `what` ("the item id") as the subject: kWrongArgumentType
// (empty), kTooLarge or kInvalidUtf8.
std::optional<Error> CheckId(std::string_view id, std::string_view path, std::string_view what);

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_RECOMMEND_HINTS_INTERNAL_H_
