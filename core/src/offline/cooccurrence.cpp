#include "offline/cooccurrence.h"

#include <algorithm>
#include <cmath>

namespace tagwise::internal {

std::vector<std::vector<CoLink>> TopCooccurring(const std::vector<std::vector<uint32_t>>& sets, size_t n_items,
                                                const std::vector<uint32_t>& totals, size_t k, uint32_t min_count,
                                                double alpha) {
  // Inverted index: the sets containing each item.
  std::vector<uint32_t> offsets(n_items + 1, 0);
  for (const auto& s : sets)
    for (uint32_t i : s) ++offsets[i + 1];
  for (size_t i = 0; i < n_items; ++i) offsets[i + 1] += offsets[i];
  std::vector<uint32_t> containing(offsets[n_items]);
  {
    std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
    for (uint32_t s = 0; s < sets.size(); ++s)
      for (uint32_t i : sets[s]) containing[fill[i]++] = s;
  }

  std::vector<std::vector<CoLink>> out(n_items);
  std::vector<uint32_t> counts(n_items, 0);
  std::vector<uint32_t> touched;
  std::vector<CoLink> candidates;
  const auto better = [](const CoLink& a, const CoLink& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  };
  for (uint32_t i = 0; i < n_items; ++i) {
    touched.clear();
    for (uint32_t p = offsets[i]; p < offsets[i + 1]; ++p) {
      for (uint32_t j : sets[containing[p]]) {
        if (j == i) continue;
        if (counts[j]++ == 0) touched.push_back(j);
      }
    }
    candidates.clear();
    for (uint32_t j : touched) {
      if (counts[j] >= min_count) candidates.push_back({j, counts[j], CoScore(counts[j], totals[i], totals[j], alpha)});
      counts[j] = 0;
    }
    const size_t keep = std::min(k, candidates.size());
    std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(), better);
    out[i].assign(candidates.begin(), candidates.begin() + keep);
  }
  return out;
}

}  // namespace tagwise::internal
