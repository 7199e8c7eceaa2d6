// "Did you mean" for unknown names: one edit distance, one way to pick the
// closest candidate and one way to word the hint, for every message in the
// core that suggests a name (rule and condition operators, catalog, offer and
// experiment fields, lint references).
#ifndef TAGWISE_CORE_SRC_COMMON_SUGGESTIONS_H_
#define TAGWISE_CORE_SRC_COMMON_SUGGESTIONS_H_

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace tagwise::internal {

// Which edits EditDistance counts.
enum class EditMetric {
  // Insertions, deletions, substitutions and adjacent transpositions (optimal
  // string alignment: "evnets" -> "events" is one edit).
  kWithTranspositions,
  // Insertions, deletions and substitutions only (Levenshtein: "evnets" ->
  // "events" is two). The tags lint has always counted this way, and which id
  // it suggests depends on it.
  kLevenshtein,
};

// Edits between `a` and `b`, byte by byte.
[[nodiscard]] size_t EditDistance(std::string_view a, std::string_view b,
                                  EditMetric metric = EditMetric::kWithTranspositions);

// Words and candidates longer than this many bytes get no suggestion (the
// distance is quadratic, and a name that long is no typo).
inline constexpr size_t kMaxSuggestBytes = 64;

struct SuggestOptions {
  // The most edits a candidate of `candidate_size` bytes may be from a word of
  // `word_size` bytes. Each caller keeps its own rule (short names allow one
  // edit, longer ones two, ...); required.
  size_t (*max_distance)(size_t word_size, size_t candidate_size) = nullptr;
  // Compare with ASCII letters folded to lower case ("quiethours" is 0 edits
  // from "quietHours"); the candidate is returned as written.
  bool ignore_case = false;
  EditMetric metric = EditMetric::kWithTranspositions;
};

// Picks the closest candidate: feed them in order with Offer(), then best().
// The closest within max_distance wins and, on a tie, the one offered first.
// An empty candidate, or one equal to the word byte for byte, is never
// suggested; neither is anything for a word or from a candidate longer than
// kMaxSuggestBytes.
class ClosestMatcher {
 public:
  ClosestMatcher(std::string_view word, const SuggestOptions& options);
  void Offer(std::string_view candidate);
  // The closest candidate offered, or "" if none is close enough. Points
  // into the candidate passed to Offer().
  [[nodiscard]] std::string_view best() const { return best_; }

 private:
  std::string word_;
  std::string folded_;  // word_ case-folded, when options_.ignore_case
  bool usable_;         // false: the word is too long to suggest for
  SuggestOptions options_;
  std::string_view best_;  // empty: none yet
  size_t best_distance_ = 0;
};

// ClosestMatcher over a range: `candidates` holds strings, or anything `name`
// maps to a string_view (e.g. &OperatorInfo::name). "" when none is close.
template <typename Range, typename Name = std::identity>
[[nodiscard]] std::string_view ClosestMatch(std::string_view word, const Range& candidates,
                                            const SuggestOptions& options, Name name = {}) {
  ClosestMatcher matcher(word, options);
  for (const auto& candidate : candidates) matcher.Offer(std::string_view(std::invoke(name, candidate)));
  return matcher.best();
}

// The first candidate that starts with the same three bytes as `word` (a word
// shorter than three bytes matches none), or "". The field-name hint of the
// catalog, experiment definitions and "events" options.
[[nodiscard]] std::string_view PrefixMatch(std::string_view word, std::span<const std::string_view> candidates);

// "; did you mean \"hint\"?" to end an "unknown ..." message, or "" when
// `hint` is empty.
[[nodiscard]] std::string DidYouMean(std::string_view hint);
// " (did you mean \"hint\"?)", or "" when `hint` is empty: the same for a
// message that goes on after it (the tags lint).
[[nodiscard]] std::string DidYouMeanInParentheses(std::string_view hint);

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_COMMON_SUGGESTIONS_H_
