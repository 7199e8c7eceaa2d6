// EventMemo (tagwise/event_memo.h): out of line, so the evaluator's hot loop
// calls it rather than carrying a copy of it (the page module's bytes).
#include "tagwise/event_memo.h"

#include <algorithm>

namespace tagwise {

EventMemo::Column* EventMemo::For(std::string_view key, size_t events) {
  auto it = columns_.find(key);
  Column* c;
  if (it != columns_.end()) {
    c = &it->second;
  } else {
    if (columns_.size() >= kMaxColumns) return nullptr;
    const std::string k(key);
    c = &columns_[k];
  }
  // Fewer events than positions known means the events changed without
  // Clear(): start again rather than trust a position.
  if (c->size() > events) c->clear();
  c->resize(events, kUnknown);
  return c;
}

// Moves by hand instead of vector::insert/erase, whose instantiations for
// uint32_t (move_range, the reallocating insert) are ~350 bytes of page
// module code it has no other use for.
void EventMemo::InsertAt(size_t at) {
  for (auto& [key, c] : columns_) {
    if (at > c.size()) continue;
    c.push_back(kUnknown);
    std::copy_backward(c.begin() + static_cast<std::ptrdiff_t>(at), c.end() - 1, c.end());
    c[at] = kUnknown;
  }
}

void EventMemo::ErasePrefix(size_t n) {
  for (auto& [key, c] : columns_) {
    const size_t k = std::min(n, c.size());
    std::copy(c.begin() + static_cast<std::ptrdiff_t>(k), c.end(), c.begin());
    c.resize(c.size() - k);
  }
}

}  // namespace tagwise
