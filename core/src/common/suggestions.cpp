#include "common/suggestions.h"

#include <algorithm>
#include <vector>

namespace tagwise::internal {
namespace {

std::string FoldAsciiCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b, EditMetric metric) {
  // Three rows of the dynamic-programming table: two back (for a
  // transposition), the previous one and the current one.
  const size_t width = b.size() + 1;
  std::vector<size_t> rows(3 * width);
  size_t* prev2 = rows.data();
  size_t* prev = prev2 + width;
  size_t* cur = prev + width;
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      if (metric == EditMetric::kWithTranspositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
          a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

ClosestMatcher::ClosestMatcher(std::string_view word, const SuggestOptions& options)
    : word_(word), usable_(word.size() <= kMaxSuggestBytes), options_(options) {
  if (usable_ && options.ignore_case) folded_ = FoldAsciiCase(word);
}

void ClosestMatcher::Offer(std::string_view candidate) {
  if (!usable_ || candidate.empty() || candidate.size() > kMaxSuggestBytes || candidate == word_) return;
  const size_t d = options_.ignore_case ? EditDistance(folded_, FoldAsciiCase(candidate), options_.metric)
                                        : EditDistance(word_, candidate, options_.metric);
  if (d > options_.max_distance(word_.size(), candidate.size())) return;
  if (!best_.empty() && d >= best_distance_) return;  // ties go to the first offered
  best_ = candidate;
  best_distance_ = d;
}

std::string_view PrefixMatch(std::string_view word, std::span<const std::string_view> candidates) {
  constexpr size_t kPrefix = 3;
  if (word.size() < kPrefix) return {};
  for (std::string_view c : candidates) {
    if (c.substr(0, kPrefix) == word.substr(0, kPrefix)) return c;
  }
  return {};
}

std::string DidYouMean(std::string_view hint) {
  return hint.empty() ? std::string() : "; did you mean \"" + std::string(hint) + "\"?";
}

std::string DidYouMeanInParentheses(std::string_view hint) {
  return hint.empty() ? std::string() : " (did you mean \"" + std::string(hint) + "\"?)";
}

}  // namespace tagwise::internal
