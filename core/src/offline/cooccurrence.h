// Co-occurrence of items over sets (users' item sets, or baskets): the one
// implementation behind the hint builder's neighbour and together lists and
// the offline evaluation's item-kNN baseline, so both count alike.
#ifndef TAGWISE_CORE_SRC_OFFLINE_COOCCURRENCE_H_
#define TAGWISE_CORE_SRC_OFFLINE_COOCCURRENCE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "recommend/hints_internal.h"  // CoScore

namespace tagwise::internal {

struct CoLink {
  uint32_t item = 0;
  uint32_t count = 0;  // sets containing both items
  double score = 0;
};

// For every item i < n_items: the `k` items j != i with co(i,j) >= min_count,
// ordered by (score desc, j asc). `sets` holds distinct item indexes per set;
// `totals[i]` is the number of sets containing i. Item indexes must follow the
// id order, so "j asc" is "id asc". O(sum of |set|^2) time, O(n_items) scratch.
std::vector<std::vector<CoLink>> TopCooccurring(const std::vector<std::vector<uint32_t>>& sets, size_t n_items,
                                                const std::vector<uint32_t>& totals, size_t k, uint32_t min_count,
                                                double alpha);

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_OFFLINE_COOCCURRENCE_H_
