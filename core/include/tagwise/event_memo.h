// Per-event results of pure functions of one event, kept with the profile
// so that later evaluations compute them for new events only.
//
// Why: on a page, tags() runs after every track(). An `events` aggregate
// with a `where` rule ("orders whose description contains CHRISTMAS") would
// otherwise run that rule over the visitor's whole history each time, which
// made it ~75% of tags() for a 1,000-event visitor. A `where` rule that reads
// only the event (no now, tags, events or outer scopes) gives the same
// verdict for the same event forever, so its verdict and the steps it took
// are stored here by event position and replayed (the steps too, so step
// limits do not move).
//
// Keyed by the rule's canonical JSON text, not by a compiled node, so a new
// catalog can never read a verdict of another rule. Positions index
// Profile::events(): the profile shifts the memo when an event is inserted
// before the end (a late delivery) or the oldest are compacted, and clears
// it when events are removed or reordered otherwise; appended events start
// unknown.
#ifndef TAGWISE_EVENT_MEMO_H_
#define TAGWISE_EVENT_MEMO_H_

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tagwise {

// A string-keyed table of index lists. Profile's per-type event index is
// one too: sharing the exact type shares its code in the page module.
struct TextHash {
  using is_transparent = void;  // find() by string_view without a copy
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using TextTable = std::unordered_map<std::string, std::vector<uint32_t>, TextHash, std::equal_to<>>;

class EventMemo {
 public:
  // A copy starts empty (a copied profile recomputes its verdicts): copying
  // columns would cost more page-module code than it saves.
  EventMemo() = default;
  EventMemo(const EventMemo&) {}
  EventMemo& operator=(const EventMemo&) {
    Clear();
    return *this;
  }
  EventMemo(EventMemo&&) = default;
  EventMemo& operator=(EventMemo&&) = default;

  // One function's results by event position: the verdict in the low two
  // bits, the evaluation steps it took above them. One word per event keeps
  // the memo small.
  enum Verdict : uint32_t { kUnknown = 0, kFalse = 1, kTrue = 2 };
  static constexpr uint32_t kVerdictMask = 3;
  static constexpr uint32_t kMaxSteps = UINT32_MAX >> 2;  // more: not kept
  using Column = std::vector<uint32_t>;

  static uint32_t Entry(bool verdict, uint32_t steps) { return steps << 2 | (verdict ? kTrue : kFalse); }

  // More distinct functions than this per profile are evaluated each time
  // (a catalog has a handful of `where` rules; this only bounds memory).
  static constexpr size_t kMaxColumns = 64;

  // The column of `key` sized for `events` events (new positions unknown),
  // or nullptr when the memo is full.
  [[gnu::noinline]] Column* For(std::string_view key, size_t events);

  // One `count` or `sum` aggregate's terms at one evaluation time, by event
  // position: what each event adds to the total (its weight, 1 or
  // 0.5^((now - ts) / half_life), times the field's number for a sum; 0 for
  // an event its `where` rejects) and the steps that took, so a re-evaluation
  // at the same time adds the same terms in the same order instead of
  // filtering and weighing every event again. Kept by the full core only
  // (events_agg.cpp). Three columns of the table above, so that they move
  // with the events as the verdicts do: the term's bits in two, the steps + 1
  // in the third (0: not known).
  struct Terms {
    Column* low;
    Column* high;
    Column* steps;
    double Value(size_t i) const;
    void Set(size_t i, double value, uint32_t steps);
  };

  // The terms of the aggregate `key` at `now`, sized for `events` events (new
  // positions unknown); those of other times are dropped. False when the
  // memo is full.
  [[gnu::noinline]] bool TermsFor(std::string_view key, size_t events, int64_t now, Terms* out);

  // An event inserted at `at`: the positions behind it move up one.
  [[gnu::noinline]] void InsertAt(size_t at);

  // The first `n` events removed (compaction folds the oldest).
  [[gnu::noinline]] void ErasePrefix(size_t n);

  // Positions from `n` on moved: their verdicts are computed again.
  void KeepPrefix(size_t n) {
    for (auto& [key, c] : columns_) c.resize(std::min(c.size(), n));
  }

  void Clear() { columns_.clear(); }

 private:
  TextTable columns_;
};

}  // namespace tagwise

#endif  // TAGWISE_EVENT_MEMO_H_
